import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import {
  createKeywordRuleSchema,
  unsafeRegexReason,
  updateKeywordRuleSchema,
  type KeywordRuleView,
  type PassiveReply,
} from '@shared/officialAccount';
import { ErrorCode } from '@shared/errors';
import { badRequest, conflict, notFound } from '../platform/http/errors';
import { parseWith } from '../platform/http/middleware';
import { isDuplicateKey } from '../platform/db/errors';
import { ConfigVersion, KeywordRule, SetupMark, type KeywordRuleDoc } from './model';

// Keyword rules: an operator's list of "when a follower writes X, answer Y".

/** Rules every new account starts with. */
export const DEFAULT_KEYWORD_RULES = [
  {
    name: '帮助菜单',
    match: 'regex' as const,
    pattern: '^(帮助|help|菜单|menu|\\?|？)$',
    priority: 100,
    enabled: true,
    reply: {
      type: 'text' as const,
      content:
        '您好，我可以帮您：\n回复「会员」查看会员权益\n回复「我的优惠券」查看您的券\n回复「我的工单」查看售后进度\n回复「售后」了解售后服务\n回复「人工」联系客服',
    },
  },
  {
    name: '人工客服',
    match: 'regex' as const,
    pattern: '(人工|客服|human|agent)',
    priority: 90,
    enabled: true,
    reply: { type: 'transfer_customer_service' as const },
  },
  {
    name: '会员权益',
    match: 'contains' as const,
    pattern: '会员',
    priority: 50,
    enabled: true,
    reply: { type: 'text' as const, content: '打开小程序「会员中心」即可查看等级、积分和会员码。' },
  },
  {
    name: '优惠券',
    match: 'contains' as const,
    pattern: '优惠券',
    priority: 50,
    enabled: true,
    reply: { type: 'text' as const, content: '可领取的优惠券都在小程序「领券中心」，领取后到店出示券码即可核销。' },
  },
  {
    name: '售后服务',
    match: 'contains' as const,
    pattern: '售后',
    priority: 50,
    enabled: true,
    reply: { type: 'text' as const, content: '在小程序「我的-售后」提交工单，门店会尽快处理并在这里通知您。' },
  },
];

const SEED_MARK = 'keyword-rules-seeded';
let seedSeen = false;

function toView(doc: KeywordRuleDoc): KeywordRuleView {
  return {
    id: doc._id.toString(),
    name: doc.name,
    match: doc.match as KeywordRuleView['match'],
    pattern: doc.pattern,
    priority: doc.priority,
    reply: doc.reply as PassiveReply,
    enabled: doc.enabled,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
  };
}

/**
 * Inserts the default rules once per database. Safe on several instances at once: each default is
 * an upsert on its unique name, and the mark keeps a rule an operator deleted from coming back.
 */
export async function seedDefaultKeywordRules(): Promise<void> {
  // The mark never goes away once set, so one sighting per process is enough.
  if (seedSeen) return;
  if (await SetupMark.exists({ _id: SEED_MARK })) {
    seedSeen = true;
    return;
  }
  for (const rule of DEFAULT_KEYWORD_RULES) {
    try {
      await KeywordRule.updateOne({ name: rule.name }, { $setOnInsert: rule }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  await SetupMark.updateOne({ _id: SEED_MARK }, { $setOnInsert: { at: new Date() } }, { upsert: true }).catch((err) => {
    if (!isDuplicateKey(err)) throw err;
  });
  await rulesChanged();
}

export async function listKeywordRules(): Promise<KeywordRuleView[]> {
  const docs = await KeywordRule.find().sort({ priority: -1, _id: 1 }).lean<KeywordRuleDoc[]>();
  return docs.map(toView);
}

export async function createKeywordRule(input: unknown): Promise<KeywordRuleView> {
  const data = parseWith(createKeywordRuleSchema, input);
  try {
    const doc = await KeywordRule.create(data);
    await rulesChanged();
    return toView(doc.toObject() as KeywordRuleDoc);
  } catch (err) {
    if (isDuplicateKey(err)) throw conflict(ErrorCode.CONFLICT, 'A keyword rule with this name already exists.');
    throw err;
  }
}

export async function updateKeywordRule(id: string, input: unknown): Promise<KeywordRuleView> {
  const data = parseWith(updateKeywordRuleSchema, input);
  if (!Types.ObjectId.isValid(id)) throw notFound('No such keyword rule.');
  const current = await KeywordRule.findById(id).lean<KeywordRuleDoc>();
  if (!current) throw notFound('No such keyword rule.');
  const match = data.match ?? current.match;
  const pattern = data.pattern ?? current.pattern;
  if (match === 'regex') {
    const problem = unsafeRegexReason(pattern);
    if (problem) throw badRequest(`pattern ${problem}`, [{ path: 'body.pattern', message: problem }]);
  }
  try {
    const updated = await KeywordRule.findByIdAndUpdate(id, { $set: data }, { new: true }).lean<KeywordRuleDoc>();
    if (!updated) throw notFound('No such keyword rule.');
    await rulesChanged();
    return toView(updated);
  } catch (err) {
    if (isDuplicateKey(err)) throw conflict(ErrorCode.CONFLICT, 'A keyword rule with this name already exists.');
    throw err;
  }
}

export async function deleteKeywordRule(id: string): Promise<void> {
  if (!Types.ObjectId.isValid(id)) throw notFound('No such keyword rule.');
  const { deletedCount } = await KeywordRule.deleteOne({ _id: id });
  if (!deletedCount) throw notFound('No such keyword rule.');
  await rulesChanged();
}

interface CompiledRule {
  id: string;
  name: string;
  /** An exact command: an `exact` rule, or a regex anchored at both ends. */
  exact: boolean;
  test: (text: string) => boolean;
  reply: PassiveReply;
}

// The enabled rules are cached per instance and rebuilt when the version token in the database
// changes. Every admin change writes the rules first and a new token second, so an instance that
// sees the new token reads the new rules. An instance checks the token (one read by _id, shared by
// all requests in flight) when its last check started more than RULE_CHECK_MS ago: a change made on
// any instance is obeyed everywhere well within a second.
const RULES_VERSION = 'keyword-rules';
const RULE_CHECK_MS = 400;
let cache: { token: string | null; checkedAt: number; rules: CompiledRule[] } | undefined;
let checking: Promise<CompiledRule[]> | undefined;

/** Tells every instance that the rules changed. */
async function rulesChanged(): Promise<void> {
  cache = undefined;
  const update = { $set: { token: randomUUID(), at: new Date() } };
  try {
    await ConfigVersion.updateOne({ _id: RULES_VERSION }, update, { upsert: true });
  } catch (err) {
    // Two first changes raced to create the token: write ours over the winner's.
    if (!isDuplicateKey(err)) throw err;
    await ConfigVersion.updateOne({ _id: RULES_VERSION }, update);
  }
}

async function refreshRules(): Promise<CompiledRule[]> {
  const startedAt = Date.now();
  const version = await ConfigVersion.findById(RULES_VERSION, { token: 1 }).lean();
  const token = version?.token ?? null;
  if (cache && cache.token === token) {
    cache.checkedAt = startedAt;
    return cache.rules;
  }
  const docs = await KeywordRule.find({ enabled: true }).sort({ priority: -1, _id: 1 }).lean<KeywordRuleDoc[]>();
  const rules = docs.map(compile).filter((r): r is CompiledRule => r !== undefined);
  cache = { token, checkedAt: startedAt, rules };
  return rules;
}

/** Longest part of a follower's message that rules look at. */
const MATCH_TEXT_MAX = 500;

function compile(doc: KeywordRuleDoc): CompiledRule | undefined {
  const pattern = doc.pattern.toLowerCase();
  let test: (text: string) => boolean;
  if (doc.match === 'exact') test = (text) => text === pattern;
  else if (doc.match === 'contains') test = (text) => text.includes(pattern);
  else {
    if (unsafeRegexReason(doc.pattern)) return undefined;
    const re = new RegExp(doc.pattern, 'iu');
    test = (text) => re.test(text);
  }
  const exact = doc.match === 'exact' || (doc.match === 'regex' && doc.pattern.startsWith('^') && /(^|[^\\])\$$/.test(doc.pattern));
  return { id: doc._id.toString(), name: doc.name, exact, test, reply: doc.reply as PassiveReply };
}

async function enabledRules(): Promise<CompiledRule[]> {
  if (cache && Date.now() - cache.checkedAt < RULE_CHECK_MS) return cache.rules;
  checking ??= refreshRules().finally(() => {
    checking = undefined;
  });
  return checking;
}

/** The highest-priority enabled rule that matches the text, if any. */
export async function matchKeywordRule(
  text: string,
): Promise<{ id: string; name: string; exact: boolean; reply: PassiveReply } | undefined> {
  const normalized = text.trim().slice(0, MATCH_TEXT_MAX).toLowerCase();
  if (!normalized) return undefined;
  for (const rule of await enabledRules()) {
    if (rule.test(normalized)) return { id: rule.id, name: rule.name, exact: rule.exact, reply: rule.reply };
  }
  return undefined;
}
