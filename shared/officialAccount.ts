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

// ---------------------------------------------------------------------------------------------
// The official account's custom menu (自定义菜单), as admins edit it and the platform takes it.
// The platform allows 1–3 top-level entries, each either an action or a group of 1–5 sub-entries;
// names up to 16 bytes at the top (5 Chinese characters; clients show about 4) and 60 bytes below, CLICK keys up
// to 128 bytes, URLs up to 1024 bytes (UTF-8). The platform is the judge: a draft that breaks its
// limits can be saved, `menuProblems` lists what the platform will refuse (with its errcode), and
// publishing shows the platform's own answer.
//
// Admin HTTP API (admin role only):
//   GET    /api/v1/admin/oa-menu            → 200 MenuState
//   PUT    /api/v1/admin/oa-menu            MenuDraft → 200 MenuState (400 VALIDATION_FAILED; 404 for an unknown keyword rule)
//   POST   /api/v1/admin/oa-menu/publish    → 200 MenuState; 422 WECHAT_REJECTED with the platform's errcode and message
//   GET    /api/v1/admin/oa-menu/live       → 200 { menu: PlatformMenu | null } (what the platform serves now)
//   DELETE /api/v1/admin/oa-menu/live       → 204 (removes the menu from the account)

export const MENU_LIMITS = {
  topLevel: 3,
  subEntries: 5,
  topNameBytes: 16,
  subNameBytes: 60,
  keyBytes: 128,
  urlBytes: 1024,
} as const;

export const MENU_ENTRY_TYPES = ['click', 'view', 'miniprogram'] as const;
export type MenuEntryType = (typeof MENU_ENTRY_TYPES)[number];

/** Length in bytes as the platform counts it (UTF-8). */
export const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

const entryName = z.string().trim().min(1).max(60);
const menuUrl = z.url({ protocol: /^https?$/ }).max(1024);

export const menuActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('click'),
    name: entryName,
    key: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_\-.:]{1,128}$/, 'must be 1–128 letters, digits or _-.:'),
    /** The keyword rule whose reply answers this click (instead of the built-in answer for the key). */
    keywordRuleId: z
      .string()
      .regex(/^[0-9a-f]{24}$/, 'must be an id')
      .nullable()
      .optional(),
  }),
  z.object({ type: z.literal('view'), name: entryName, url: menuUrl }),
  z.object({
    type: z.literal('miniprogram'),
    name: entryName,
    appid: z.string().trim().min(1).max(64),
    pagepath: z.string().trim().min(1).max(256),
    /** Opened by clients too old for mini-programs. */
    url: menuUrl,
  }),
]);
export type MenuAction = z.infer<typeof menuActionSchema>;

export const menuGroupSchema = z.object({
  name: entryName,
  sub: z.array(menuActionSchema).min(1).max(MENU_LIMITS.subEntries),
});
export type MenuGroup = z.infer<typeof menuGroupSchema>;

export type MenuEntry = MenuGroup | MenuAction;

/** A group (has `sub`) or an action; checked as the one it claims to be, so errors name the field. */
export const menuEntrySchema = z.unknown().transform((value, ctx): MenuEntry => {
  const isGroup = typeof value === 'object' && value !== null && 'sub' in value;
  const result = (isGroup ? menuGroupSchema : menuActionSchema).safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path as PropertyKey[] });
  return z.NEVER;
});

export const menuDraftSchema = z.object({ entries: z.array(menuEntrySchema).min(1).max(MENU_LIMITS.topLevel) });
export type MenuDraft = z.infer<typeof menuDraftSchema>;

export const isMenuGroup = (entry: MenuEntry): entry is MenuGroup => 'sub' in entry;

/** A limit the platform will refuse, with the errcode it answers. */
export interface MenuProblem {
  path: string;
  errcode: number;
  message: string;
}

/** What the platform would refuse in this menu (name, key and URL lengths), in the order it checks. */
export function menuProblems(draft: MenuDraft): MenuProblem[] {
  const problems: MenuProblem[] = [];
  const check = (ok: boolean, path: string, errcode: number, message: string) => {
    if (!ok) problems.push({ path, errcode, message });
  };
  const action = (a: MenuAction, path: string, sub: boolean) => {
    const nameLimit = sub ? MENU_LIMITS.subNameBytes : MENU_LIMITS.topNameBytes;
    check(
      utf8Bytes(a.name) <= nameLimit,
      `${path}.name`,
      sub ? 40025 : 40018,
      `名称最多 ${nameLimit} 字节（约 ${Math.floor(nameLimit / 3)} 个汉字）`,
    );
    if (a.type === 'click') check(utf8Bytes(a.key) <= MENU_LIMITS.keyBytes, `${path}.key`, sub ? 40026 : 40019, 'KEY 最多 128 字节');
    else check(utf8Bytes(a.url) <= MENU_LIMITS.urlBytes, `${path}.url`, sub ? 40027 : 40020, '链接最多 1024 字节');
  };
  draft.entries.forEach((entry, i) => {
    const path = `entries.${i}`;
    if (isMenuGroup(entry)) {
      check(
        utf8Bytes(entry.name) <= MENU_LIMITS.topNameBytes,
        `${path}.name`,
        40018,
        `名称最多 ${MENU_LIMITS.topNameBytes} 字节（约 5 个汉字）`,
      );
      entry.sub.forEach((a, j) => action(a, `${path}.sub.${j}`, true));
    } else action(entry, path, false);
  });
  return problems;
}

/** The menu in the platform's JSON (menu/create and menu/get). */
export interface PlatformMenuButton {
  type?: string;
  name: string;
  key?: string;
  url?: string;
  appid?: string;
  pagepath?: string;
  sub_button?: PlatformMenuButton[];
}
export interface PlatformMenu {
  button: PlatformMenuButton[];
}

export function toPlatformMenu(draft: MenuDraft): PlatformMenu {
  const action = (a: MenuAction): PlatformMenuButton =>
    a.type === 'click'
      ? { type: 'click', name: a.name, key: a.key }
      : a.type === 'view'
        ? { type: 'view', name: a.name, url: a.url }
        : { type: 'miniprogram', name: a.name, url: a.url, appid: a.appid, pagepath: a.pagepath };
  return { button: draft.entries.map((e) => (isMenuGroup(e) ? { name: e.name, sub_button: e.sub.map(action) } : action(e))) };
}

export interface MenuPublishView {
  ok: boolean;
  at: string;
  errcode?: number;
  errmsg?: string;
}

export interface MenuState {
  /** The draft being edited; null before the first save. */
  draft: MenuDraft | null;
  problems: MenuProblem[];
  /** What was last published successfully, and when. */
  published: { menu: MenuDraft; at: string } | null;
  lastPublish: MenuPublishView | null;
  updatedAt: string | null;
}
