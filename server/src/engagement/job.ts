import { Types } from 'mongoose';
import { clerkFlagged, listHeldCoupons, redemptionsByClerk } from '../coupons';
import { listTimeline, timelineEntriesOfType, type TimelineDoc } from '../customers';
import type { PeriodicJob } from '../platform/jobs/periodic';
import { EngagementEvent, EngagementFlag, QuietCheck, type EngagementEventDoc } from './model';
import { countKeys, flagOf, recordEvent, saveFlag, scoreNow, toScored } from './record';
import { probesOf, QUIET_AFTER_MS, scoreEvent, WEIGHTS } from './signals';

/** How many reads or writes a pass keeps in flight (well under the driver's pool). */
const AT_ONCE = 8;

async function eachAtOnce<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(AT_ONCE, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

// The scoring pass, run by one lease holder at a time (any instance may be it; everything it reads
// and writes is in the database). Each pass:
//  1. takes in the official account's follows of the window from the timeline (as events + marks);
//  2. scores every event of the last RESCORE_MS again with the counts as they are now, so the first
//     claims of a burst are flagged once the burst shows;
//  3. checks the claims and follows that turned QUIET_AFTER_MS old: anything done since? (once each);
//  4. flags clerks redeeming far above their store's other clerks (the funnel's flag);
//  5. makes sure every held claim is in the queue.
// Flags are inserted under the event's id, so a pass cut short and repeated adds nothing twice.

export const RESCORE_MS = 2 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Entries that are not the customer doing anything (our replies, the claim itself, bookkeeping). */
const NOT_A_TOUCH = new Set(['oa.reply', 'oa.reply_failed', 'coupon.claimed', 'coupon.claim_held', 'coupon.reminder_sent']);

export interface PassReport {
  follows: number;
  scored: number;
  flagged: number;
  quietChecked: number;
  clerks: number;
}

async function takeInFollows(from: Date, to: Date): Promise<number> {
  const entries = await timelineEntriesOfType('oa.event', from, to);
  const follows = entries.filter((e: TimelineDoc) => (e.data as { type?: string } | undefined)?.type === 'subscribe');
  await Promise.all(
    follows.map((e) => {
      const data = e.data as { scene?: string };
      const store = /^store:([0-9a-f]{24})$/i.exec(data.scene ?? '')?.[1];
      return recordEvent({
        _id: `follow:${e._id.toString()}`,
        kind: 'follow',
        customerId: e.customerId,
        ...(data.scene ? { scene: data.scene } : {}),
        ...(store ? { storeId: new Types.ObjectId(store) } : {}),
        fresh: true,
        held: false,
        at: e.at,
      } as EngagementEventDoc);
    }),
  );
  return follows.length;
}

/** Whether the customer did anything after the event (within the time the check looks). */
async function touchedSince(event: EngagementEventDoc): Promise<boolean> {
  const newest = await listTimeline(event.customerId, { limit: 50 });
  return newest.some((t) => t.at.getTime() > event.at.getTime() + 1_000 && t.channel !== 'system' && !NOT_A_TOUCH.has(t.type));
}

/** One pass; `windowMs` widens what is scored and checked (a seeded history is scored whole). */
export async function runScoringPass(now = new Date(), { windowMs = RESCORE_MS }: { windowMs?: number } = {}): Promise<PassReport> {
  const report: PassReport = { follows: 0, scored: 0, flagged: 0, quietChecked: 0, clerks: 0 };
  const since = new Date(now.getTime() - windowMs);
  report.follows = await takeInFollows(since, now);

  // Claims and follows that have just turned QUIET_AFTER_MS old: check each once.
  const quietTo = new Date(now.getTime() - QUIET_AFTER_MS);
  const quietFrom = new Date(quietTo.getTime() - windowMs);
  report.follows += await takeInFollows(quietFrom, quietTo);
  const due = (await EngagementEvent.find({ at: { $gte: quietFrom, $lt: quietTo } }).lean<EngagementEventDoc[]>()).filter(
    (e) => e.kind !== 'gift',
  );
  const checked = new Map((await QuietCheck.find({ _id: { $in: due.map((e) => e._id) } }).lean()).map((c) => [String(c._id), c.quiet]));
  await eachAtOnce(
    due.filter((e) => !checked.has(e._id)),
    async (event) => {
      const quiet = !(await touchedSince(event));
      await QuietCheck.create({ _id: event._id, customerId: event.customerId, quiet, at: now }).catch(() => undefined);
      checked.set(event._id, quiet);
      report.quietChecked++;
    },
  );

  const recent = await EngagementEvent.find({ at: { $gte: since, $lt: now } }).lean<EngagementEventDoc[]>();
  const dueIds = new Set(due.map((e) => e._id));
  const events = [...recent.filter((e) => !dueIds.has(e._id)), ...due];
  // Every key once, a few at a time, then the scores from memory.
  const cache = new Map<string, number>();
  const keys = [...new Set(events.flatMap((e) => probesOf(toScored(e)).flatMap((p) => p.keys)))];
  await eachAtOnce(chunks(keys, 16), (chunk) => countKeys(chunk, cache).then(() => undefined));
  await eachAtOnce(events, async (event) => {
    const score = scoreEvent(toScored(event), cache, checked.get(event._id));
    report.scored++;
    if (score.flagged || event.held) {
      if ((await saveFlag(flagOf(event, score, now))) === 'new') report.flagged++;
    }
  });

  report.clerks = await flagBusyClerks(now);
  await queueHeldClaims(now);
  return report;
}

/** Clerks redeeming far above their store's other clerks, today and yesterday (UTC days). */
async function flagBusyClerks(now: Date): Promise<number> {
  let flagged = 0;
  const today = Math.floor(now.getTime() / DAY_MS);
  for (const day of [today - 1, today]) {
    const rows = await redemptionsByClerk(new Date(day * DAY_MS), new Date((day + 1) * DAY_MS));
    for (const row of rows) {
      const others = rows.filter((r) => r.storeId === row.storeId && r.staffId !== row.staffId).map((r) => r.redeemed);
      const { flagged: busy, storeAverage } = clerkFlagged(row.redeemed, others);
      if (!busy) continue;
      const signals = [
        {
          code: 'clerk_rate',
          weight: WEIGHTS.clerk_rate,
          detail: { redeemed: row.redeemed, storeAverage: Math.round(storeAverage * 100) / 100 },
        },
      ];
      const outcome = await saveFlag({
        _id: `clerk:${row.storeId}:${row.staffId}:${day}`,
        kind: 'redemption',
        storeId: new Types.ObjectId(row.storeId),
        staffId: new Types.ObjectId(row.staffId),
        held: false,
        score: WEIGHTS.clerk_rate,
        signals,
        at: new Date(day * DAY_MS),
        flaggedAt: now,
      });
      if (outcome === 'new') flagged++;
    }
  }
  return flagged;
}

/** A held claim whose flag was not written (its request died in between) is queued here. */
async function queueHeldClaims(now: Date): Promise<void> {
  const held = await listHeldCoupons();
  if (!held.length) return;
  const ids = held.map((c) => `claim:${c._id.toString()}`);
  const queued = new Set((await EngagementFlag.find({ _id: { $in: ids } }, { _id: 1 }).lean()).map((f) => String(f._id)));
  for (const coupon of held) {
    const id = `claim:${coupon._id.toString()}`;
    if (queued.has(id)) continue;
    const event = ((await EngagementEvent.findById(id).lean<EngagementEventDoc>()) ?? {
      _id: id,
      kind: 'claim',
      customerId: coupon.claimantId,
      campaignId: coupon.campaignId,
      couponId: coupon._id,
      fresh: false,
      held: true,
      at: coupon.claimedAt,
    }) as EngagementEventDoc;
    const score = await scoreNow(toScored(event));
    await saveFlag(flagOf({ ...event, held: true }, score, now));
  }
}

export const engagementScoringJob: PeriodicJob = {
  name: 'engagement-scoring',
  intervalMs: 60_000,
  run: async (now) => {
    await runScoringPass(now);
  },
};
