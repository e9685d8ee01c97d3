import { Types } from 'mongoose';
import type { FunnelReport, FunnelRow } from '@shared/coupons';
import { notFound } from '../platform/http/errors';
import { isDuplicateKey } from '../platform/db/errors';
import { Campaign, FunnelCounter, type FunnelCounterDoc } from './model';

type FunnelField = 'claimed' | 'gifted' | 'redeemed' | 'voided';

export interface FunnelKey {
  campaignId: Types.ObjectId;
  channel: string;
  storeId?: Types.ObjectId | undefined;
  staffId?: Types.ObjectId | undefined;
}

/** Adds to the pre-aggregated counters of one (campaign, channel, store, staff). */
export async function bumpFunnel(key: FunnelKey, inc: Partial<Record<FunnelField, number>>): Promise<void> {
  const storeId = key.storeId?.toString() ?? '-';
  const staffId = key.staffId?.toString() ?? '-';
  const _id = `${key.campaignId.toString()}|${key.channel}|${storeId}|${staffId}`;
  const update = {
    $setOnInsert: { campaignId: key.campaignId, channel: key.channel, storeId, staffId },
    $inc: inc,
  };
  try {
    await FunnelCounter.updateOne({ _id }, update, { upsert: true });
  } catch (err) {
    // Two first upserts raced; the document exists now, so the second try is a plain $inc.
    if (!isDuplicateKey(err)) throw err;
    await FunnelCounter.updateOne({ _id }, update, { upsert: true });
  }
}

const rate = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0);

/** A clerk is flagged when they redeem this many times their store's other clerks' average, and at least FLAG_MIN. */
export const CLERK_FLAG_FACTOR = 3;
export const CLERK_FLAG_MIN = 10;

export async function funnelReport(campaignId: string): Promise<FunnelReport> {
  if (!Types.ObjectId.isValid(campaignId)) throw notFound('No such campaign.');
  const campaign = await Campaign.findById(campaignId).lean();
  if (!campaign) throw notFound('No such campaign.');
  const rows = await FunnelCounter.find({ campaignId: campaign._id }).lean<FunnelCounterDoc[]>();

  const sum = (list: FunnelCounterDoc[], f: FunnelField) => list.reduce((n, r) => n + (r[f] ?? 0), 0);
  const group = (keyOf: (r: FunnelCounterDoc) => string | undefined) => {
    const groups = new Map<string, FunnelCounterDoc[]>();
    for (const r of rows) {
      const k = keyOf(r);
      if (k === undefined) continue;
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    return groups;
  };
  const row = (key: string, list: FunnelCounterDoc[], denominator: number): FunnelRow => ({
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
    const storeAverage = others.length ? others.reduce((n, c) => n + c.redeemed, 0) / others.length : 0;
    const flagged = others.length > 0 && clerk.redeemed >= CLERK_FLAG_MIN && clerk.redeemed > CLERK_FLAG_FACTOR * storeAverage;
    return { ...clerk, storeAverage: Math.round(storeAverage * 100) / 100, flagged };
  });

  return {
    campaignId: campaign._id.toString(),
    stock: campaign.stock,
    issued: campaign.issued,
    claimed,
    gifted: sum(rows, 'gifted'),
    redeemed,
    redemptionRate: rate(redeemed, claimed),
    byChannel,
    byStore,
    byClerk,
  };
}
