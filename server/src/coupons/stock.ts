import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import { isDuplicateKey } from '../platform/db/errors';
import { INSTANCE_ID } from '../platform/jobs/lease';
import type { PeriodicJob } from '../platform/jobs/periodic';
import { notFound } from '../platform/http/errors';
import { Campaign, Coupon, StockLease, StockReturn, type CampaignDoc } from './model';

// Stock handed out from leased segments. A campaign's stock places 0 .. stock-1 are cut into
// segments of SEGMENT_SIZE places. An instance takes a whole segment with one unique insert (the
// lease `<campaign>:<segment>:<generation>`), then hands its places out from memory: a claim costs
// the coupon's own insert and nothing else. The coupon's unique (campaign, stock place) index stays
// the last word, so no mistake here can oversell; the lease only keeps instances from fighting over
// the same places.
//
// Places an instance did not issue come back when it returns the segment (on shutdown), or when the
// lease-expiry sweep returns it for an instance that died. A returned segment is leased again under
// the next generation; the new holder reads which of its places were issued.
//
// Sold out is exact: an instance that has nothing left to lease reads which places below the stock
// were issued (the campaign's coupons, one equality lookup, at most once at a time per campaign). All
// issued: sold out, remembered without further reads until the stock is raised or a place is given
// back (refusing a held claim frees its place and stamps the campaign's placesReopenedAt). Otherwise the places still free sit in segments other instances hold (or held
// before they died): this instance tries them one by one. The coupon's unique place decides between
// it and the holder; the loser of a place moves on to the next. So "sold out" is only answered when
// every place is issued, whichever instance holds what.
//
// Each instance keeps a copy of the campaign no older than CAMPAIGN_FRESH_MS (one read by _id per
// second per campaign, not per claim). Raising the stock is seen within that time. Lowering it
// waits LOWER_STOCK_FENCE_MS before it answers, so by then no instance holds a copy with the old
// stock, and no claim started after the answer can take a place past the new stock.

export const SEGMENT_SIZE = 32;
export const CAMPAIGN_FRESH_MS = 1_000;
export const LOWER_STOCK_FENCE_MS = 2 * CAMPAIGN_FRESH_MS;
/** A holder renews its leases while it claims; one silent this long is taken for dead. */
export const LEASE_MS = 30_000;
/** How often an instance that found nothing to lease looks for returned segments again. */
const RECHECK_MS = 1_000;

interface HeldSegment {
  leaseId: string;
  segment: number;
  /** Places of the segment not issued by this instance (some may lie past the current stock). */
  free: Set<number>;
}

interface CampaignStock {
  campaign: CampaignDoc;
  /** performance.now() when the read that produced `campaign` started. */
  readAt: number;
  held: HeldSegment[];
  /** The next segment nobody has leased yet, as far as this instance knows. */
  nextFresh: number | undefined;
  /** When this instance last found nothing left to lease. */
  exhaustedAt: number | undefined;
  leasedUntil: number;
  refreshing: Promise<void> | undefined;
  acquiring: Promise<boolean> | undefined;
  /** Places taken by claims still running (issued or given back when they end). */
  inFlight: number;
  /** Claims waiting for an in-flight place to come back before they call it sold out. */
  waiters: Array<() => void>;
  /** Free places found in segments other instances hold: tried here too, the unique place decides. */
  stray: Set<number>;
  /** The stock at which every place was found issued (sold out for good unless the stock is raised). */
  soldOutAt: number | undefined;
  /** The campaign's placesReopenedAt (ms) when it was found sold out: a later reopening undoes it. */
  soldOutReopenMark: number;
  /** The running read of issued places, if any. */
  scanning: Promise<void> | undefined;
}

const stocks = new Map<string, CampaignStock>();

const leaseId = (campaignId: Types.ObjectId, segment: number, generation: number) => `${campaignId.toString()}:${segment}:${generation}`;

async function readCampaign(id: string | Types.ObjectId): Promise<CampaignDoc> {
  if (!Types.ObjectId.isValid(id)) throw notFound('No such campaign.');
  const campaign = await Campaign.findById(id).lean<CampaignDoc>();
  if (!campaign) throw notFound('No such campaign.');
  return campaign;
}

/** The campaign as this instance knows it, no older than CAMPAIGN_FRESH_MS. */
export async function campaignStock(id: string | Types.ObjectId): Promise<CampaignStock> {
  const key = String(id);
  let stock = stocks.get(key);
  if (!stock) {
    const readAt = performance.now();
    const campaign = await readCampaign(id);
    stock = stocks.get(key) ?? {
      campaign,
      readAt,
      held: [],
      nextFresh: undefined,
      exhaustedAt: undefined,
      leasedUntil: 0,
      refreshing: undefined,
      acquiring: undefined,
      inFlight: 0,
      waiters: [],
      stray: new Set(),
      soldOutAt: undefined,
      soldOutReopenMark: 0,
      scanning: undefined,
    };
    stocks.set(key, stock);
  }
  await ensureFresh(stock);
  return stock;
}

async function ensureFresh(stock: CampaignStock): Promise<void> {
  while (performance.now() - stock.readAt >= CAMPAIGN_FRESH_MS) {
    stock.refreshing ??= refresh(stock).finally(() => {
      stock.refreshing = undefined;
    });
    await stock.refreshing;
  }
}

async function refresh(stock: CampaignStock): Promise<void> {
  const readAt = performance.now();
  const campaign = await readCampaign(stock.campaign._id);
  if (campaign.stock > stock.campaign.stock) stock.exhaustedAt = undefined;
  stock.campaign = campaign;
  stock.readAt = readAt;
  await renewLeases(stock);
}

/** Takes in a campaign this instance just changed (other instances see it within CAMPAIGN_FRESH_MS). */
export function campaignChanged(campaign: CampaignDoc, readAt: number): void {
  const stock = stocks.get(String(campaign._id));
  if (!stock || readAt < stock.readAt) return;
  stock.campaign = campaign;
  stock.readAt = readAt;
  stock.exhaustedAt = undefined;
}

/** Keeps this instance's leases alive, and drops any the sweep returned (it took us for dead). */
async function renewLeases(stock: CampaignStock): Promise<void> {
  if (!stock.held.length || Date.now() < stock.leasedUntil - LEASE_MS / 2) return;
  const until = Date.now() + LEASE_MS;
  const ids = stock.held.map((h) => h.leaseId);
  await StockLease.updateMany({ _id: { $in: ids } }, { $set: { leasedUntil: new Date(until) } });
  const returned = new Set((await StockReturn.find({ _id: { $in: ids } }, { _id: 1 }).lean()).map((r) => String(r._id)));
  stock.held = stock.held.filter((h) => !returned.has(h.leaseId));
  stock.leasedUntil = until;
}

/**
 * Takes a stock place for one claim, below the current stock, or undefined when this instance finds
 * nothing left (sold out as far as this instance can issue: other instances may still hold places).
 * Every place taken must end in `placeIssued` or `givePlaceBack`. While other claims of this
 * instance still hold places that may come back, it waits for them rather than say sold out.
 */
export async function takePlace(stock: CampaignStock): Promise<number | undefined> {
  for (;;) {
    await ensureFresh(stock);
    const limit = stock.campaign.stock;
    if (isSoldOut(stock)) return undefined;
    for (const free of [...stock.held.map((h) => h.free), stock.stray]) {
      for (const place of free) {
        if (place < limit) {
          free.delete(place);
          stock.inFlight++;
          return place;
        }
      }
    }
    stock.acquiring ??= acquireSegment(stock).finally(() => {
      stock.acquiring = undefined;
    });
    if (await stock.acquiring) continue;
    if (stock.inFlight > 0) {
      // Claims of this instance still hold places that may come back.
      await new Promise<void>((resolve) => stock.waiters.push(resolve));
      continue;
    }
    stock.scanning ??= findStrayPlaces(stock).finally(() => {
      stock.scanning = undefined;
    });
    await stock.scanning;
    if (isSoldOut(stock)) return undefined;
  }
}

const reopenMark = (campaign: CampaignDoc) => campaign.placesReopenedAt?.getTime() ?? 0;

/** Sold out at this stock, and no place given back since (a refused held claim), as far as the copy knows. */
function isSoldOut(stock: CampaignStock): boolean {
  return stock.soldOutAt !== undefined && stock.soldOutAt >= stock.campaign.stock && stock.soldOutReopenMark === reopenMark(stock.campaign);
}

/**
 * Reads which places below the stock are issued. None free: sold out at this stock. Otherwise the
 * free ones become stray places to try.
 */
async function findStrayPlaces(stock: CampaignStock): Promise<void> {
  const limit = stock.campaign.stock;
  const issued = await Coupon.find({ campaignId: stock.campaign._id }, { _id: 0, stockSlot: 1 })
    .batchSize(limit + 1)
    .lean<Array<{ stockSlot: number }>>();
  const taken = new Set(issued.map((c) => c.stockSlot).filter((p) => p < limit));
  if (taken.size >= limit) {
    stock.soldOutAt = Math.max(stock.soldOutAt ?? 0, limit);
    stock.soldOutReopenMark = reopenMark(stock.campaign);
    return;
  }
  // Called with no claim of this instance in flight and nothing free in its own segments, so every
  // free place is one this instance is not using.
  for (let place = 0; place < limit; place++) if (!taken.has(place)) stock.stray.add(place);
}

function settle(stock: CampaignStock): void {
  stock.inFlight--;
  const waiters = stock.waiters;
  stock.waiters = [];
  for (const wake of waiters) wake();
}

/** The claim that took the place issued a coupon on it (or found it taken): it is gone for good. */
export function placeIssued(stock: CampaignStock): void {
  settle(stock);
}

/** Puts back a place a claim took but did not issue. */
export function givePlaceBack(stock: CampaignStock, place: number): void {
  const held = stock.held.find((h) => h.segment === Math.floor(place / SEGMENT_SIZE));
  (held?.free ?? stock.stray).add(place);
  settle(stock);
}

async function insertLease(stock: CampaignStock, segment: number, generation: number): Promise<string | undefined> {
  const _id = leaseId(stock.campaign._id, segment, generation);
  const leasedUntil = new Date(Date.now() + LEASE_MS);
  try {
    await StockLease.create({ _id, campaignId: stock.campaign._id, segment, generation, holder: INSTANCE_ID, leasedUntil, at: new Date() });
    stock.leasedUntil = Math.min(stock.leasedUntil || Infinity, leasedUntil.getTime());
    return _id;
  } catch (err) {
    if (isDuplicateKey(err)) return undefined;
    throw err;
  }
}

function placesOf(segment: number): Set<number> {
  return new Set(Array.from({ length: SEGMENT_SIZE }, (_, i) => segment * SEGMENT_SIZE + i));
}

/** Leases one more segment: a fresh one while any is left, else one that was returned. */
async function acquireSegment(stock: CampaignStock): Promise<boolean> {
  const campaignId = stock.campaign._id;
  const segments = Math.ceil(stock.campaign.stock / SEGMENT_SIZE);
  if (stock.nextFresh === undefined) {
    // Once per campaign per instance: start after the highest segment anyone leased.
    const last = await StockLease.find({ campaignId, generation: 0 }, { segment: 1 }).sort({ segment: -1 }).limit(1).lean();
    stock.nextFresh = last[0] ? last[0].segment + 1 : 0;
  }
  while (stock.nextFresh < segments) {
    const segment = stock.nextFresh++;
    const id = await insertLease(stock, segment, 0);
    if (id) {
      stock.held.push({ leaseId: id, segment, free: placesOf(segment) });
      return true;
    }
  }
  if (stock.exhaustedAt !== undefined && performance.now() - stock.exhaustedAt < RECHECK_MS) return false;

  // Segments given back: the latest generation of each, unless it was given back with nothing left.
  const returns = await StockReturn.find({ campaignId }, { segment: 1, generation: 1, empty: 1 }).lean();
  // A lease of ours that was given back by someone else (the sweep, or a place reopened at review) is stale.
  const given = new Set(returns.map((r) => String(r._id)));
  stock.held = stock.held.filter((h) => !given.has(h.leaseId));
  const latest = new Map<number, { generation: number; empty: boolean }>();
  for (const r of returns) {
    const seen = latest.get(r.segment);
    if (!seen || r.generation > seen.generation) latest.set(r.segment, { generation: r.generation, empty: r.empty });
  }
  for (const [segment, r] of latest) {
    if (r.empty || segment >= segments || stock.held.some((h) => h.segment === segment)) continue;
    const id = await insertLease(stock, segment, r.generation + 1);
    if (!id) continue;
    const lo = segment * SEGMENT_SIZE;
    const issued = await Coupon.find({ campaignId, stockSlot: { $gte: lo, $lt: lo + SEGMENT_SIZE } }, { stockSlot: 1 }).lean();
    const free = placesOf(segment);
    for (const c of issued) free.delete(c.stockSlot);
    stock.held.push({ leaseId: id, segment, free });
    return true;
  }
  stock.exhaustedAt = performance.now();
  return false;
}

async function returnLease(id: string, campaignId: Types.ObjectId, empty: boolean, by: string): Promise<void> {
  const [, segment, generation] = id.split(':');
  try {
    await StockReturn.create({ _id: id, campaignId, segment: Number(segment), generation: Number(generation), empty, by, at: new Date() });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  // Out of the sweep's sight from now on (the return above is what counts).
  await StockLease.updateOne({ _id: id }, { $set: { leasedUntil: RETURNED } });
}

/** leasedUntil of a lease that was given back. */
const RETURNED = new Date(0);

/** Gives back every segment this instance holds (on shutdown): their unissued places become free. */
export async function releaseStockLeases(): Promise<void> {
  const all = [...stocks.values()];
  stocks.clear();
  await Promise.all(
    all.flatMap((stock) => stock.held.map((held) => returnLease(held.leaseId, stock.campaign._id, held.free.size === 0, INSTANCE_ID))),
  );
}

/**
 * Returns the segments of instances that stopped renewing their leases (they died): their unissued
 * places become free for the next lease. Returns how many segments came back.
 */
export async function sweepExpiredStockLeases(now = new Date()): Promise<number> {
  const expired = await StockLease.find({ leasedUntil: { $gt: RETURNED, $lt: now } }, { campaignId: 1 })
    .limit(1_000)
    .lean();
  if (!expired.length) return 0;
  const done = new Set((await StockReturn.find({ _id: { $in: expired.map((l) => l._id) } }, { _id: 1 }).lean()).map((r) => String(r._id)));
  let count = 0;
  for (const lease of expired) {
    if (done.has(String(lease._id))) continue;
    await returnLease(String(lease._id), lease.campaignId, false, 'sweep');
    count++;
  }
  return count;
}

export const stockLeaseSweepJob: PeriodicJob = {
  name: 'coupon-stock-lease-sweep',
  intervalMs: 10_000,
  run: async (now) => {
    await sweepExpiredStockLeases(now);
  },
};

/** Waits until no instance can still be claiming with a copy of the campaign read before now. */
export async function stockLoweringFence(): Promise<void> {
  await sleep(LOWER_STOCK_FENCE_MS);
}

/**
 * Makes a stock place free again after the coupon on it gave it up (a claim refused at review):
 * the coupon no longer holds the place, so it only has to become leasable. The segment's latest
 * lease is given back (its holder stops handing out its places within a lease renewal; a place
 * issued twice meanwhile is refused by the unique index, as always), or, when it was given back
 * as empty, a new generation is opened and given back at once. Whoever leases the segment next
 * reads which places are issued, after the coupon gave this one up. Idempotent.
 */
export async function reopenStockPlace(campaignId: Types.ObjectId, place: number): Promise<void> {
  // Instances that found the campaign sold out see this within CAMPAIGN_FRESH_MS and look again.
  await Campaign.updateOne({ _id: campaignId }, { $set: { placesReopenedAt: new Date() } });
  const segment = Math.floor(place / SEGMENT_SIZE);
  for (let attempt = 0; attempt < 20; attempt++) {
    const leases = await StockLease.find({ campaignId }, { segment: 1, generation: 1 }).lean();
    const generations = leases.filter((l) => l.segment === segment).map((l) => l.generation);
    if (!generations.length) return; // never leased: the place is free for the first lease
    const latest = Math.max(...generations);
    const id = leaseId(campaignId, segment, latest);
    const given = await StockReturn.findById(id, { empty: 1 }).lean();
    if (!given) {
      try {
        await StockReturn.create({ _id: id, campaignId, segment, generation: latest, empty: false, by: 'reopen', at: new Date() });
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        continue; // given back meanwhile: look again
      }
    }
    if (!given.empty) return; // the next lease reads the places as they are now
    const next = leaseId(campaignId, segment, latest + 1);
    try {
      await StockLease.create({
        _id: next,
        campaignId,
        segment,
        generation: latest + 1,
        holder: 'reopen',
        leasedUntil: RETURNED,
        at: new Date(),
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      continue; // someone leased the next generation: give that one back instead
    }
    await StockReturn.create({ _id: next, campaignId, segment, generation: latest + 1, empty: false, by: 'reopen', at: new Date() });
    return;
  }
}
