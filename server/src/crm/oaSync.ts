// Our tags on the official account's user tags: a tag marked for sync is created there once, and
// each customer's tag/untag is queued (one record per tag + customer, the last wish wins) and sent
// in batches by the sync job within the platform's limits: 100 tags per account (45056), 20 per
// follower (45059), 50 openids per call, and the call quotas (45009/45011: the pass stops and the
// rest waits). Only followers (customers with an official-account openid) can be tagged there.
import type { Types } from 'mongoose';
import { MAX_SYNCED_TAGS } from '@shared/api/crm';
import { openidOf } from '../customers';
import { OA_TAG_LIMITS, QUOTA_ERRCODES, WechatApiError, type WechatPlatform } from '../wechat/platform';
import { CrmTag, OaTagOp, type OaTagOpDoc } from './model';

const TAG_EXISTS = 45157;
const TOO_MANY_TAGS = 45056;
const FOLLOWER_FULL = 45059;
const NOT_A_FOLLOWER = 40003;

export async function queueOaTagOps(
  customerId: Types.ObjectId,
  ops: Array<{ tagId: Types.ObjectId; op: 'tag' | 'untag' }>,
  now: Date,
): Promise<void> {
  for (const { tagId, op } of ops) {
    await OaTagOp.replaceOne(
      { _id: `${tagId}|${customerId}` },
      { tagId, customerId, op, at: now, attempts: 0, notBefore: now },
      { upsert: true },
    );
  }
}

export interface SyncResult {
  created: number;
  tagged: number;
  untagged: number;
  /** Followers refused (20 tags already, or not following): dropped with the reason kept in the log. */
  refused: number;
  calls: number;
  /** The quota ran out: the rest waits for the next pass. */
  throttled: boolean;
}

const backoffMs = (attempts: number) => Math.min(60 * 60_000, 30_000 * 2 ** Math.min(attempts, 7));

/** Creates on the platform the synced tags that have no platform id yet. */
async function createPlatformTags(wechat: WechatPlatform, result: SyncResult): Promise<void> {
  const pending = await CrmTag.find({ syncToOfficialAccount: true }).sort({ createdAt: 1 }).limit(MAX_SYNCED_TAGS).lean();
  for (const tag of pending) {
    if (tag.oaTagId) continue;
    let oaTagId: number | undefined;
    let syncError: string | undefined;
    try {
      oaTagId = (await wechat.officialAccount.createTag(tag.name)).id;
      result.created++;
    } catch (err) {
      if (!(err instanceof WechatApiError)) throw err;
      if (err.errcode === TAG_EXISTS) oaTagId = (await wechat.officialAccount.getTags()).find((t) => t.name === tag.name)?.id;
      else if (err.errcode === TOO_MANY_TAGS) syncError = `the official account has ${OA_TAG_LIMITS.tags} tags already`;
      else syncError = `${err.errcode} ${err.errmsg}`;
    }
    result.calls++;
    await CrmTag.updateOne({ _id: tag._id }, oaTagId ? { $set: { oaTagId }, $unset: { syncError: 1 } } : { $set: { syncError } });
  }
}

/** One pass: sends up to `maxCalls` batch calls of queued tag changes. */
export async function syncOfficialAccountTags(wechat: WechatPlatform, now = new Date(), maxCalls = 100): Promise<SyncResult> {
  const result: SyncResult = { created: 0, tagged: 0, untagged: 0, refused: 0, calls: 0, throttled: false };
  await createPlatformTags(wechat, result);
  const tags = new Map(
    (await CrmTag.find({ syncToOfficialAccount: true }).limit(1000).lean())
      .filter((t) => t.oaTagId)
      .map((t) => [t._id.toString(), t.oaTagId!]),
  );
  const ops = (await OaTagOp.find({}).limit(5000).batchSize(5000).lean<OaTagOpDoc[]>()).filter((o) => o.notBefore <= now);
  // Tag changes grouped by (tag, op), each group sent 50 openids at a time.
  const groups = new Map<string, OaTagOpDoc[]>();
  for (const op of ops) {
    if (!tags.has(op.tagId.toString())) continue; // the tag is not on the platform (yet): wait
    const key = `${op.tagId}|${op.op}`;
    groups.set(key, [...(groups.get(key) ?? []), op]);
  }
  for (const group of groups.values()) {
    const oaTagId = tags.get(group[0]!.tagId.toString())!;
    const withOpenid: Array<{ op: OaTagOpDoc; openid: string }> = [];
    for (const op of group) {
      const openid = await openidOf(op.customerId, 'official_account');
      if (openid) withOpenid.push({ op, openid });
      else await done(op); // not a follower: nothing to tag on the platform
    }
    for (let i = 0; i < withOpenid.length; i += OA_TAG_LIMITS.batch) {
      if (result.calls >= maxCalls) return { ...result, throttled: true };
      const batch = withOpenid.slice(i, i + OA_TAG_LIMITS.batch);
      const outcome = await send(wechat, group[0]!.op, oaTagId, batch, result);
      if (outcome === 'throttled') {
        await postpone(
          withOpenid.slice(i).map((b) => b.op),
          now,
          'quota',
        );
        return { ...result, throttled: true };
      }
    }
  }
  return result;
}

async function send(
  wechat: WechatPlatform,
  op: 'tag' | 'untag',
  oaTagId: number,
  batch: Array<{ op: OaTagOpDoc; openid: string }>,
  result: SyncResult,
): Promise<'ok' | 'throttled'> {
  const call = (openids: string[]) =>
    op === 'tag' ? wechat.officialAccount.tagFollowers(oaTagId, openids) : wechat.officialAccount.untagFollowers(oaTagId, openids);
  try {
    result.calls++;
    await call(batch.map((b) => b.openid));
    for (const b of batch) await done(b.op);
    if (op === 'tag') result.tagged += batch.length;
    else result.untagged += batch.length;
    return 'ok';
  } catch (err) {
    if (!(err instanceof WechatApiError)) {
      await postpone(
        batch.map((b) => b.op),
        new Date(),
        String((err as Error).message),
      );
      return 'ok';
    }
    if (QUOTA_ERRCODES.includes(err.errcode)) return 'throttled';
    if ((err.errcode === FOLLOWER_FULL || err.errcode === NOT_A_FOLLOWER) && batch.length > 1) {
      // One follower spoils the batch: send them one by one so the others go through.
      for (const b of batch) if ((await send(wechat, op, oaTagId, [b], result)) === 'throttled') return 'throttled';
      return 'ok';
    }
    if (err.errcode === FOLLOWER_FULL || err.errcode === NOT_A_FOLLOWER) {
      result.refused++;
      await done(batch[0]!.op);
      return 'ok';
    }
    await postpone(
      batch.map((b) => b.op),
      new Date(),
      `${err.errcode} ${err.errmsg}`,
    );
    return 'ok';
  }
}

/** Removes a sent change unless a newer wish replaced it meanwhile. */
async function done(op: OaTagOpDoc): Promise<void> {
  await OaTagOp.deleteOne({ _id: op._id, at: op.at, op: op.op });
}

async function postpone(ops: OaTagOpDoc[], now: Date, reason: string): Promise<void> {
  for (const op of ops) {
    await OaTagOp.updateOne(
      { _id: op._id, at: op.at },
      { $set: { attempts: op.attempts + 1, lastError: reason, notBefore: new Date(now.getTime() + backoffMs(op.attempts)) } },
    );
  }
}
