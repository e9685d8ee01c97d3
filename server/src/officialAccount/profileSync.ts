import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { updateOfficialAccountProfiles, type OfficialAccountProfile } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import type { PeriodicJob } from '../platform/jobs/periodic';
import type { Logger } from '../platform/logger';
import type { OfficialAccountUser, WechatPlatform } from '../wechat/platform';

// Follower profiles (follow state, channel, tags, unionid) come from user/info. The message path
// only enqueues an openid; a periodic job drains the queue 100 at a time through user/info/batchget.

/** One pending sync per openid; a new request while one is pending only moves `requestedAt`. */
const profileSyncRequestSchema = new Schema(
  {
    _id: { type: String, required: true, personal: true }, // the follower's openid
    requestedAt: { type: Date, required: true },
    /** Not tried again before this (after a failed batch). */
    notBefore: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    claimedBy: { type: String, default: '' },
    claimedUntil: { type: Date, default: () => new Date(0) },
  },
  { versionKey: false },
);
profileSyncRequestSchema.index({ notBefore: 1, requestedAt: 1 });
export const ProfileSyncRequest = mongoose.model('ProfileSyncRequest', profileSyncRequestSchema, 'oa_profile_sync_queue');

const BATCH = 100;
const MAX_ATTEMPTS = 5;
const CLAIM_MS = 60_000;

/** Asks for the follower's profile to be synced soon. One write; safe to call on every message. */
export async function requestProfileSync(openid: string): Promise<void> {
  const now = new Date();
  try {
    await ProfileSyncRequest.updateOne(
      { _id: openid },
      {
        $set: { requestedAt: now },
        $setOnInsert: { notBefore: now, attempts: 0, claimedBy: '', claimedUntil: new Date(0) },
      },
      { upsert: true },
    );
  } catch (err) {
    // Two first requests raced: the other one's insert is the pending request.
    if (!isDuplicateKey(err)) throw err;
  }
}

/** The follow channel we record: the QR scene for a follow from a parametric code, else the scene name. */
export function followChannelOf(user: OfficialAccountUser): string | undefined {
  if (user.qrSceneStr) return user.qrSceneStr;
  if (user.qrScene) return String(user.qrScene);
  return user.subscribeScene;
}

export function toProfile(user: OfficialAccountUser): OfficialAccountProfile {
  return {
    openid: user.openid,
    subscribed: user.subscribed,
    unionid: user.unionid,
    subscribeTime: user.subscribeTime,
    channel: followChannelOf(user),
    tagIds: user.tagIds,
  };
}

/** Fetches up to 100 profiles in one call and applies them; returns how many were applied. */
export async function syncProfiles(wechat: WechatPlatform, openids: string[], now = new Date()): Promise<number> {
  const users = await wechat.officialAccount.getUsers(openids);
  await updateOfficialAccountProfiles(users.map(toProfile), now);
  return users.length;
}

export interface DrainResult {
  synced: number;
  failedBatches: number;
}

/**
 * Drains the queue in batches. Each batch is claimed first (a guarded update), so two drainers never
 * work on the same openids; a request that arrives while its openid is being synced survives.
 */
export async function drainProfileSyncQueue(
  wechat: WechatPlatform,
  log: Logger,
  options: { maxBatches?: number } = {},
): Promise<DrainResult> {
  const drainer = randomUUID();
  const result: DrainResult = { synced: 0, failedBatches: 0 };
  for (let batch = 0; batch < (options.maxBatches ?? 20); batch++) {
    const now = new Date();
    const candidates = await ProfileSyncRequest.find({ notBefore: { $lte: now }, claimedUntil: { $lte: now } }, { _id: 1 })
      .sort({ requestedAt: 1 })
      .limit(BATCH)
      .lean();
    if (candidates.length === 0) break;
    const ids = candidates.map((c) => c._id);
    await ProfileSyncRequest.updateMany(
      { _id: { $in: ids }, claimedUntil: { $lte: now } },
      { $set: { claimedBy: drainer, claimedUntil: new Date(now.getTime() + CLAIM_MS) } },
    );
    const claimed = await ProfileSyncRequest.find({ _id: { $in: ids }, claimedBy: drainer }).lean();
    if (claimed.length === 0) continue;

    try {
      result.synced += await syncProfiles(
        wechat,
        claimed.map((c) => c._id),
        now,
      );
    } catch (err) {
      result.failedBatches++;
      log.warn({ err, count: claimed.length }, 'profile sync batch failed; it is retried later');
      await Promise.all(claimed.map((c) => retryLater(c._id, c.attempts + 1, now, drainer, log)));
      continue;
    }
    // Done: remove each request unless it was asked for again meanwhile (then it stays, unclaimed).
    await Promise.all(
      claimed.map(async (c) => {
        const removed = await ProfileSyncRequest.deleteOne({ _id: c._id, requestedAt: c.requestedAt, claimedBy: drainer });
        if (removed.deletedCount === 0) {
          await ProfileSyncRequest.updateOne(
            { _id: c._id, claimedBy: drainer },
            { $set: { claimedBy: '', claimedUntil: new Date(0), attempts: 0 } },
          );
        }
      }),
    );
  }
  return result;
}

async function retryLater(openid: string, attempts: number, now: Date, drainer: string, log: Logger): Promise<void> {
  if (attempts >= MAX_ATTEMPTS) {
    log.error({ openid, attempts }, 'profile sync given up after repeated failures');
    await ProfileSyncRequest.deleteOne({ _id: openid, claimedBy: drainer });
    return;
  }
  const delayMs = 5_000 * 2 ** attempts;
  await ProfileSyncRequest.updateOne(
    { _id: openid, claimedBy: drainer },
    { $set: { attempts, notBefore: new Date(now.getTime() + delayMs), claimedBy: '', claimedUntil: new Date(0) } },
  );
}

/** The periodic drain, run by one instance at a time (the job runner's lease). */
export function profileSyncJob(wechat: WechatPlatform, log: Logger, intervalMs = 2_000): PeriodicJob {
  return {
    name: 'oa-profile-sync',
    intervalMs,
    run: async () => {
      const { synced, failedBatches } = await drainProfileSyncQueue(wechat, log);
      if (synced || failedBatches) log.info({ synced, failedBatches }, 'follower profiles synced');
    },
  };
}
