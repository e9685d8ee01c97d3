import { z } from 'zod';

// Official-account bot contracts: the passive reply kinds the platform accepts and the keyword
// rules an operator manages.

const mediaId = z.string().min(1).max(128);
const url = z.url({ protocol: /^https?$/ }).max(1024);

export const newsArticleSchema = z.object({
  title: z.string().min(1).max(64),
  description: z.string().max(512).optional(),
  picUrl: url.optional(),
  url: url.optional(),
});

/** Every kind of passive reply. News carries at most 8 articles (1 when answering a message). */
export const passiveReplySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), content: z.string().min(1).max(2048) }),
  z.object({ type: z.literal('image'), mediaId }),
  z.object({ type: z.literal('voice'), mediaId }),
  z.object({
    type: z.literal('video'),
    mediaId,
    title: z.string().max(64).optional(),
    description: z.string().max(512).optional(),
  }),
  z.object({
    type: z.literal('music'),
    title: z.string().max(64).optional(),
    description: z.string().max(512).optional(),
    musicUrl: url.optional(),
    hqMusicUrl: url.optional(),
    thumbMediaId: mediaId.optional(),
  }),
  z.object({ type: z.literal('news'), articles: z.array(newsArticleSchema).min(1).max(8) }),
  z.object({ type: z.literal('transfer_customer_service'), kfAccount: z.string().min(1).max(64).optional() }),
]);
export type PassiveReply = z.infer<typeof passiveReplySchema>;
export type NewsArticle = z.infer<typeof newsArticleSchema>;

export const KEYWORD_MATCH_KINDS = ['exact', 'contains', 'regex'] as const;
export type KeywordMatchKind = (typeof KEYWORD_MATCH_KINDS)[number];

/** Longest keyword pattern; regexes are also checked for shapes that backtrack badly. */
export const KEYWORD_PATTERN_MAX = 100;

const keywordRuleFields = {
  name: z.string().trim().min(1).max(64),
  match: z.enum(KEYWORD_MATCH_KINDS),
  /** Compared case-insensitively after trimming the follower's text. */
  pattern: z.string().trim().min(1).max(KEYWORD_PATTERN_MAX),
  /** Higher runs first. */
  priority: z.number().int().min(-1000).max(1000),
  reply: passiveReplySchema,
  enabled: z.boolean(),
};

function checkRule(rule: { match?: KeywordMatchKind | undefined; pattern?: string | undefined }, ctx: z.RefinementCtx) {
  if (rule.match !== 'regex' || rule.pattern === undefined) return;
  const problem = unsafeRegexReason(rule.pattern);
  if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem });
}

export const createKeywordRuleSchema = z
  .object({ ...keywordRuleFields, priority: keywordRuleFields.priority.default(0), enabled: keywordRuleFields.enabled.default(true) })
  .superRefine(checkRule);
export type CreateKeywordRule = z.infer<typeof createKeywordRuleSchema>;

export const updateKeywordRuleSchema = z
  .object({
    name: keywordRuleFields.name.optional(),
    match: keywordRuleFields.match.optional(),
    pattern: keywordRuleFields.pattern.optional(),
    priority: keywordRuleFields.priority.optional(),
    reply: keywordRuleFields.reply.optional(),
    enabled: keywordRuleFields.enabled.optional(),
  })
  .superRefine(checkRule);
export type UpdateKeywordRule = z.infer<typeof updateKeywordRuleSchema>;

// Admin HTTP API (admin role only; 401 without a session, 403 for anyone else):
//   GET    /api/v1/admin/keyword-rules      → 200 KeywordRuleList (highest priority first)
//   POST   /api/v1/admin/keyword-rules      CreateKeywordRule → 201 KeywordRuleView
//                                           (400 VALIDATION_FAILED with fields[].path like "body.pattern";
//                                            409 CONFLICT when the name is taken)
//   PATCH  /api/v1/admin/keyword-rules/:id  UpdateKeywordRule → 200 KeywordRuleView (404, 409, 400 as above)
//   DELETE /api/v1/admin/keyword-rules/:id  → 204 (404 when there is no such rule)
export const keywordRuleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  match: z.enum(KEYWORD_MATCH_KINDS),
  pattern: z.string(),
  priority: z.number(),
  reply: passiveReplySchema,
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export interface KeywordRuleView {
  id: string;
  name: string;
  match: KeywordMatchKind;
  pattern: string;
  priority: number;
  reply: PassiveReply;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export const keywordRuleListSchema = z.object({ items: z.array(keywordRuleViewSchema) });
export interface KeywordRuleList {
  items: KeywordRuleView[];
}

/**
 * Why a keyword regex is refused, or undefined when it is acceptable. Refuses what does not
 * compile, backreferences and lookarounds, and nested quantifiers such as `(a+)+` that can make
 * matching take exponential time on a follower's crafted message.
 */
export function unsafeRegexReason(pattern: string): string | undefined {
  if (pattern.length > KEYWORD_PATTERN_MAX) return `must be at most ${KEYWORD_PATTERN_MAX} characters`;
  try {
    new RegExp(pattern, 'iu');
  } catch {
    return 'is not a valid regular expression';
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'must not use backreferences';
  if (/\(\?<?[=!]/.test(pattern)) return 'must not use lookarounds';
  // A quantified group that itself contains a quantifier: the classic catastrophic-backtracking shape.
  if (/\([^()]*[*+}][^()]*\)\s*[*+{?]/.test(pattern)) return 'must not nest repeated groups (e.g. (a+)+)';
  if (/\([^()]*\|[^()]*\)\s*[*+{]/.test(pattern)) return 'must not repeat a group of alternatives';
  // Several unbounded repeats in a row (`.*.*.*x`) backtrack polynomially; a few are plenty for keywords.
  const bare = pattern.replace(/\\./g, '').replace(/\[[^\]]*\]/g, 'c');
  if ((bare.match(/[*+]|\{\d+,\}/g) ?? []).length > 3) return 'must not use more than 3 unbounded repeats';
  return undefined;
}
