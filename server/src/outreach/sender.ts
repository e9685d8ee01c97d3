// The sending job. An outreach being sent is worked by one instance at a time, under a lease of its
// own (`outreach:<id>`, renewed while it works): the audience is frozen into chunks, then chunks are
// sent in order and `nextChunk` moves on after each. A crashed or stopped sender's lease runs out and
// another pass (on any instance) continues from `nextChunk`; recipients of the unfinished chunk that
// were already attempted are recognised by their attempt record and never sent again.
import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import type { Logger } from '../platform/logger';
import { INSTANCE_ID, releaseLease, tryAcquireLease } from '../platform/jobs/lease';
import type { PeriodicJob } from '../platform/jobs/periodic';
import type { WechatPlatform } from '../wechat/platform';
import { Outreach, OutreachChunk, OutreachTally, type OutreachDoc } from './model';
import { reachChunk, Throttle, type RecipientOutcome, type SendContext } from './send';
import { audienceIds, type SegmentResolver } from './audience';

/** Recipients per chunk: the unit of progress and of resumption. */
export const CHUNK_SIZE = 100;
/** How long a sender's claim on an outreach lasts without renewal (a dead sender is replaced after this). */
export const SENDER_LEASE_MS = 15_000;

export interface SenderDeps {
  wechat: WechatPlatform;
  log: Logger;
  resolveSegment: SegmentResolver;
  weeklyCap: number;
  concurrency: number;
}

interface HeldLease {
  lost: () => boolean;
  release: () => Promise<void>;
}

/** Takes a lease and keeps renewing it until released; `lost()` once a renewal failed. */
async function holdLease(name: string, ttlMs: number): Promise<HeldLease | undefined> {
  // A holder of its own per pass: two passes in one process contend like two instances.
  const holder = `${INSTANCE_ID}:${randomUUID().slice(0, 8)}`;
  if (!(await tryAcquireLease(name, ttlMs, holder))) return undefined;
  let lost = false;
  const timer = setInterval(() => {
    tryAcquireLease(name, ttlMs, holder).then(
      (held) => (lost ||= !held),
      () => undefined, // a failed renewal is tried again; the lease outlives two misses
    );
  }, ttlMs / 4);
  timer.unref();
  return {
    lost: () => lost,
    release: async () => {
      clearInterval(timer);
      await releaseLease(name, holder).catch(() => undefined);
    },
  };
}

/** Freezes the audience into chunks (again from scratch if a crash cut the first try short). */
async function freezeAudience(outreach: OutreachDoc, resolveSegment: SegmentResolver): Promise<{ total: number; chunks: number }> {
  const ids = await audienceIds(outreach, resolveSegment);
  await OutreachChunk.deleteMany({ outreachId: outreach._id });
  const docs = [];
  for (let n = 0; n * CHUNK_SIZE < ids.length; n++) {
    docs.push({
      _id: `${String(outreach._id)}:${n}`,
      outreachId: outreach._id,
      n,
      customerIds: ids.slice(n * CHUNK_SIZE, (n + 1) * CHUNK_SIZE),
    });
  }
  for (let i = 0; i < docs.length; i += 50) await OutreachChunk.insertMany(docs.slice(i, i + 50), { ordered: false });
  const frozen = { total: ids.length, chunks: docs.length };
  await Outreach.updateOne({ _id: outreach._id }, { $set: frozen });
  return frozen;
}

function tallyOf(outcomes: RecipientOutcome[]) {
  const tally = { sent: 0, failed: 0, skipped: 0, skippedBy: {} as Record<string, number> };
  for (const o of outcomes) {
    tally[o.status]++;
    if (o.status === 'skipped' && o.reason) tally.skippedBy[o.reason] = (tally.skippedBy[o.reason] ?? 0) + 1;
  }
  return tally;
}

/** Sends what is left of one outreach while this instance holds its lease. True when it is done. */
export async function sendOutreach(deps: SenderDeps, outreachId: Types.ObjectId, aborted: () => boolean): Promise<boolean> {
  const lease = await holdLease(`outreach:${String(outreachId)}`, SENDER_LEASE_MS);
  if (!lease) return false;
  const stop = () => aborted() || lease.lost();
  try {
    const outreach = await Outreach.findById(outreachId).lean<OutreachDoc>();
    if (!outreach || outreach.status !== 'sending') return outreach?.status === 'done';
    const chunks = outreach.chunks ?? (await freezeAudience(outreach, deps.resolveSegment)).chunks;
    const ctx: SendContext = { wechat: deps.wechat, outreach, cap: deps.weeklyCap, throttle: new Throttle(stop), aborted: stop };
    for (let n = outreach.nextChunk ?? 0; n < chunks; n++) {
      if (stop()) return false;
      const chunk = await OutreachChunk.findById(`${String(outreachId)}:${n}`).lean();
      const ids = chunk?.customerIds ?? [];
      const outcomes = await reachChunk(
        ctx,
        ids.map((id) => new Types.ObjectId(id)),
        deps.concurrency,
      );
      if (!outcomes) return false; // cut short: the next sender redoes this chunk
      await OutreachTally.updateOne(
        { _id: `${String(outreachId)}:${n}` },
        { $set: { outreachId, n, ...tallyOf(outcomes) } },
        { upsert: true },
      );
      await Outreach.updateOne({ _id: outreachId }, { $set: { nextChunk: n + 1 } });
    }
    await Outreach.updateOne({ _id: outreachId }, { $set: { status: 'done', finishedAt: new Date() } });
    deps.log.info({ outreachId: String(outreachId), backOffs: ctx.throttle.backOffs }, 'outreach sent');
    return true;
  } finally {
    await lease.release();
  }
}

/** One pass over every outreach being sent. */
export async function sendPendingOutreaches(deps: SenderDeps, aborted: () => boolean): Promise<void> {
  const sending = await Outreach.find({ status: 'sending' }, { _id: 1 }).lean();
  for (const { _id } of sending) {
    if (aborted()) return;
    try {
      await sendOutreach(deps, _id, aborted);
    } catch (err) {
      deps.log.error({ err, outreachId: String(_id) }, 'outreach pass failed; the next pass continues it');
    }
  }
}

/** The periodic job, and a way to make a running pass stop between recipients (at shutdown). */
export function outreachSendJob(deps: SenderDeps): { job: PeriodicJob; abort: () => void; kick: () => void } {
  let aborted = false;
  const isAborted = () => aborted;
  return {
    job: { name: 'outreach-send', intervalMs: 2_000, run: () => sendPendingOutreaches(deps, isAborted) },
    abort: () => {
      aborted = true;
    },
    // Starts sending at once rather than at the next pass (the lease keeps it to one sender).
    kick: () => {
      if (!aborted) void sendPendingOutreaches(deps, isAborted).catch((err) => deps.log.error({ err }, 'outreach pass failed'));
    },
  };
}
