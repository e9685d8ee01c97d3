import { Types } from 'mongoose';
import type { FunnelReport, FunnelRow } from '@shared/coupons';
import { notFound } from '../platform/http/errors';
import { createBatcher, insertEach, toStored } from '../platform/db/batch';
import { Campaign, Coupon, FunnelEvent, Redemption } from './model';

type FunnelField = 'claimed' | 'gifted' | 'redeemed' | 'voided';

export interface FunnelKey {
  campaignId: Types.ObjectId;
  channel: string;
  storeId?: Types.ObjectId | undefined;
  staffId?: Types.ObjectId | undefined;
}

/**
 * Records one funnel event under the id of what it counts (`claim:<couponId>`, `redeem:<id>`…).
 * An insert, not an $inc on a shared counter: on the embedded engine concurrent $inc's on one
 * document lose updates, while a unique insert is exact and makes a repeat harmless.
 */
export async function recordFunnel(
  eventId: string,
  key: FunnelKey,
  counts: Partial<Record<FunnelField, number>>,
  at = new Date(),
): Promise<void> {
  await funnelBatch(
    toStored(FunnelEvent, {
      _id: eventId,
      campaignId: key.campaignId,
      channel: key.channel,
      storeId: key.storeId?.toString() ?? '-',
      staffId: key.staffId?.toString() ?? '-',
      ...counts,
      at,
    }),
  );
}

// Events recorded at the same moment (a claim storm) go out as one unordered insertMany; a
// duplicate means the event was counted already.
const funnelBatch = createBatcher<Record<string, unknown>, void>({
  maxInFlight: 2,
  maxSize: 500,
  flush: async (docs) => (await insertEach(FunnelEvent, docs)).map((o) => (o instanceof Error ? o : undefined)),
});

interface FunnelRowSum {
  channel: string;
  storeId: string;
  staffId: string;
  claimed: number;
  gifted: number;
  redeemed: number;
  voided: number;
}

/**
 * Per (channel, store, staff) sums of one campaign's events, added up here: the embedded engine's
 * $group gets several $sum accumulators over a compound key wrong.
 */
async function funnelSums(campaignId: Types.ObjectId): Promise<FunnelRowSum[]> {
  const sums = new Map<string, FunnelRowSum>();
  const cursor = FunnelEvent.find({ campaignId }, { channel: 1, storeId: 1, staffId: 1, claimed: 1, gifted: 1, redeemed: 1, voided: 1 })
    .lean()
    .cursor();
  for await (const e of cursor) {
    const key = `${e.channel}|${e.storeId}|${e.staffId}`;
    const row = sums.get(key) ?? {
      channel: e.channel,
      storeId: e.storeId,
      staffId: e.staffId,
      claimed: 0,
      gifted: 0,
      redeemed: 0,
      voided: 0,
    };
    row.claimed += e.claimed ?? 0;
    row.gifted += e.gifted ?? 0;
    row.redeemed += e.redeemed ?? 0;
    row.voided += e.voided ?? 0;
    sums.set(key, row);
  }
  return [...sums.values()];
}

const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

/** A clerk is flagged when they redeem this many times their store's other clerks' average, and at least FLAG_MIN. */
export const CLERK_FLAG_FACTOR = 3;
export const CLERK_FLAG_MIN = 10;

/** Whether a clerk's redemptions are far above their store's other clerks' (the funnel's flag, and the engagement review's). */
export function clerkFlagged(redeemed: number, otherClerks: number[]): { flagged: boolean; storeAverage: number } {
  const storeAverage = otherClerks.length ? otherClerks.reduce((n, c) => n + c, 0) / otherClerks.length : 0;
  const flagged = otherClerks.length > 0 && redeemed >= CLERK_FLAG_MIN && redeemed > CLERK_FLAG_FACTOR * storeAverage;
  return { flagged, storeAverage };
}

export interface ClerkRedemptions {
  storeId: string;
  staffId: string;
  redeemed: number;
}

/** Redemptions (not voided) per store and clerk in [from, to): a range scan, for background jobs. */
export async function redemptionsByClerk(from: Date, to: Date): Promise<ClerkRedemptions[]> {
  const rows = await Redemption.find({ at: { $gte: from, $lt: to }, status: 'done' }, { storeId: 1, staffId: 1 })
    .lean()
    .batchSize(10_000);
  const counts = new Map<string, ClerkRedemptions>();
  for (const r of rows) {
    const key = `${r.storeId.toString()}|${r.staffId.toString()}`;
    const row = counts.get(key) ?? { storeId: r.storeId.toString(), staffId: r.staffId.toString(), redeemed: 0 };
    row.redeemed++;
    counts.set(key, row);
  }
  return [...counts.values()];
}

export async function funnelReport(campaignId: string): Promise<FunnelReport> {
  if (!Types.ObjectId.isValid(campaignId)) throw notFound('No such campaign.');
  const campaign = await Campaign.findById(campaignId).lean();
  if (!campaign) throw notFound('No such campaign.');
  const rows = await funnelSums(campaign._id);
  const issued = await Coupon.countDocuments({ campaignId: campaign._id });

  const sum = (list: FunnelRowSum[], f: FunnelField) => list.reduce((n, r) => n + (r[f] ?? 0), 0);
  const group = (keyOf: (r: FunnelRowSum) => string | undefined) => {
    const groups = new Map<string, FunnelRowSum[]>();
    for (const r of rows) {
      const k = keyOf(r);
      if (k === undefined) continue;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    return groups;
  };
  const row = (key: string, list: FunnelRowSum[], denominator: number): FunnelRow => ({
    key,
    claimed: sum(list, 'claimed'),
    gifted: sum(list, 'gifted'),
    redeemed: sum(list, 'redeemed'),
    voided: sum(list, 'voided'),
    redemptionRate: rate(sum(list, 'redeemed'), denominator),
  });

  const claimed = sum(rows, 'claimed');
  const redeemed = sum(rows, 'redeemed');
  const byChannel = [...group((r) => r.channel)].map(([k, list]) => {
    const r = row(k, list, 0);
    return { ...r, redemptionRate: rate(r.redeemed, r.claimed) };
  });
  // Claims happen nowhere in particular; a store's and a clerk's rate is their share of all redemptions.
  const byStore = [...group((r) => (r.storeId === '-' ? undefined : r.storeId))].map(([k, list]) => row(k, list, redeemed));

  const clerks = [...group((r) => (r.staffId === '-' ? undefined : `${r.storeId}|${r.staffId}`))].map(([k, list]) => {
    const [storeId, staffId] = k.split('|') as [string, string];
    return { ...row(staffId, list, redeemed), storeId, staffId };
  });
  const byClerk = clerks.map((clerk) => {
    const others = clerks.filter((c) => c.storeId === clerk.storeId && c.staffId !== clerk.staffId);
    const { flagged, storeAverage } = clerkFlagged(
      clerk.redeemed,
      others.map((c) => c.redeemed),
    );
    return { ...clerk, storeAverage: Math.round(storeAverage * 100) / 100, flagged };
  });

  return {
    campaignId: campaign._id.toString(),
    stock: campaign.stock,
    issued,
    claimed,
    gifted: sum(rows, 'gifted'),
    redeemed,
    redemptionRate: rate(redeemed, claimed),
    byChannel,
    byStore,
    byClerk,
  };
}
