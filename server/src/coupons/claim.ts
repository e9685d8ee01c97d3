import { randomBytes, randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { couponCodeFromBytes } from '@shared/couponCode';
import type { ClaimChannel } from '@shared/coupons';
import { ErrorCode } from '@shared/errors';
import { appendTimeline, type Channel } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { coupons as couponMetrics } from '../platform/metrics';
import { conflict, notFound } from '../platform/errors';
import { claimBlocker } from './campaigns';
import { engagementHooks, type ClaimSeen, type ClientSeen } from './engagementHooks';
import { recordFunnel } from './funnel';
import { Coupon, type CampaignDoc, type CouponDoc } from './model';
import { campaignStock, givePlaceBack, placeIssued, takePlace } from './stock';
import { tierBlocker } from './tierAccess';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_ATTEMPTS = 100;

export interface ClaimOptions {
  channel: ClaimChannel;
  idempotencyKey?: string | undefined;
  now?: Date;
  /** The request's client (address, device id), for the engagement review. */
  client?: ClientSeen | undefined;
}

/** Only claims a person makes in the mini-program can be held for review; flows that issue coupons (points, birthday, recovery) never are. */
const HOLDABLE: readonly ClaimChannel[] = ['mini_program'];

export interface ClaimResult {
  coupon: CouponDoc;
  /** False when an earlier request with the same idempotency key made it. */
  created: boolean;
}

/** Where a claim channel sits on the timeline. */
export const timelineChannel = (channel: string): Channel =>
  channel === 'mini_program' ? 'mini_program' : channel.startsWith('oa_') ? 'official_account' : 'system';

export const newCouponCode = () => couponCodeFromBytes(randomBytes(10)).replace(/-/g, '');

/**
 * Claims one coupon. A coupon takes one of the campaign's `stock` places and one of the claimant's
 * `perUserLimit` places, and carries the claim's idempotency key; unique indexes on all three make
 * the single insert of the coupon the moment that decides, so no concurrency can oversell, exceed
 * the limit, or issue twice for one key, and nothing is left to undo when an insert loses.
 *
 * The stock place comes from a segment this instance leased (stock.ts), so the happy path is that
 * one insert plus the timeline and funnel entries, which are batched with other claims'. Only a
 * collision reads: the claimant's own coupons of this campaign (one equality lookup).
 */
export async function claimCoupon(
  campaignId: string | Types.ObjectId,
  customerId: Types.ObjectId,
  options: ClaimOptions,
): Promise<ClaimResult> {
  const stock = await campaignStock(campaignId);
  const now = options.now ?? new Date();
  // Keys are scoped to the campaign: the same key sent for two campaigns claims in each.
  const claimKey = `${stock.campaign._id.toString()}:${options.idempotencyKey ?? randomUUID()}`;
  const previous = async () =>
    options.idempotencyKey ? ((await Coupon.findOne({ claimantId: customerId, claimKey }).lean<CouponDoc>()) ?? undefined) : undefined;

  const blocker = claimBlocker(stock.campaign, options.channel, now) ?? (await tierBlocker(stock.campaign, customerId, now));
  if (blocker) {
    const earlier = await previous();
    if (earlier) return { coupon: earlier, created: false };
    throw blocker;
  }

  const hooks = engagementHooks();
  const seen: ClaimSeen = {
    campaignId: stock.campaign._id,
    customerId,
    channel: options.channel,
    storeIds: stock.campaign.storeIds ?? [],
    client: options.client ?? {},
    at: now,
  };
  const hold = !!hooks && !!stock.campaign.holdSuspicious && HOLDABLE.includes(options.channel) && (await hooks.screenClaim(seen)).hold;

  // What the claimant holds of this campaign: read only when something refused the claim.
  const mine = () => Coupon.find({ campaignId: stock.campaign._id, claimantId: customerId }).limit(MAX_HELD).lean<CouponDoc[]>();
  const limitReached = () => conflict(ErrorCode.LIMIT_REACHED, `You can hold at most ${stock.campaign.perUserLimit} of these coupons.`);

  let userSlot = 0;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const place = await takePlace(stock);
    if (place === undefined) {
      const held = await mine();
      const same = options.idempotencyKey ? held.find((c) => c.claimKey === claimKey) : undefined;
      if (same) return { coupon: same, created: false };
      throw held.length >= stock.campaign.perUserLimit ? limitReached() : outOfStock();
    }
    const campaign = stock.campaign;
    let coupon: CouponDoc | undefined;
    try {
      coupon = await insertCoupon(campaign, customerId, options.channel, claimKey, now, place, userSlot, hold);
    } catch (err) {
      if (!isDuplicateKey(err)) {
        givePlaceBack(stock, place);
        throw err;
      }
    }
    if (coupon) {
      // The insert is the claim: from here the place is spent, whatever the funnel and timeline writes do.
      placeIssued(stock);
      await (hold ? afterHeld(campaign, coupon, now) : afterClaim(campaign, coupon, now));
      await hooks?.claimed(seen, coupon);
      if (!hold) couponMetrics.claims.inc({ channel: options.channel });
      return { coupon, created: true };
    }
    // Something collided: this key served before, the claimant's limit, or (rarely) the place.
    let held: CouponDoc[];
    try {
      held = await mine();
    } catch (err) {
      givePlaceBack(stock, place);
      throw err;
    }
    const same = options.idempotencyKey ? held.find((c) => c.claimKey === claimKey) : undefined;
    const userSlots = new Set(held.map((c) => c.userSlot));
    // Our user place was free, so the stock place (or the code) collided: that place is gone.
    if (same || userSlots.has(userSlot)) givePlaceBack(stock, place);
    else placeIssued(stock);
    if (same) return { coupon: same, created: false };
    const freeUserSlot = lowestFree(userSlots, campaign.perUserLimit);
    if (freeUserSlot === undefined) throw limitReached();
    userSlot = freeUserSlot;
  }
  throw conflict(ErrorCode.CONFLICT, 'Too many people are claiming right now; please try again.');
}

/** More than any per-user limit a campaign may set. */
const MAX_HELD = 1_000;

const outOfStock = () => {
  couponMetrics.soldOuts.inc();
  return conflict(ErrorCode.OUT_OF_STOCK, 'All coupons of this campaign have been claimed.');
};

/** The lowest free place in 0..size-1. */
function lowestFree(taken: Set<number>, size: number): number | undefined {
  for (let i = 0; i < size; i++) if (!taken.has(i)) return i;
  return undefined;
}

/** A held claim is on the claimant's timeline; the funnel counts it once it is issued. */
async function afterHeld(campaign: CampaignDoc, coupon: CouponDoc, now: Date): Promise<void> {
  await appendTimeline(coupon.claimantId, {
    type: 'coupon.claim_held',
    channel: timelineChannel(coupon.channel),
    summary: `Claim of coupon "${campaign.name}" is under review`,
    data: { couponId: coupon._id.toString(), campaignId: campaign._id.toString(), claimChannel: coupon.channel },
    at: now,
  });
}

export async function afterClaim(campaign: Pick<CampaignDoc, '_id' | 'name'>, coupon: CouponDoc, now: Date): Promise<void> {
  await Promise.all([
    recordFunnel(`claim:${coupon._id.toString()}`, { campaignId: campaign._id, channel: coupon.channel }, { claimed: 1 }, now),
    appendTimeline(coupon.claimantId, {
      type: 'coupon.claimed',
      channel: timelineChannel(coupon.channel),
      summary: `Claimed coupon "${campaign.name}"`,
      data: { couponId: coupon._id.toString(), campaignId: campaign._id.toString(), claimChannel: coupon.channel },
      at: now,
    }),
  ]);
}

async function insertCoupon(
  campaign: CampaignDoc,
  customerId: Types.ObjectId,
  channel: ClaimChannel,
  claimKey: string,
  now: Date,
  stockSlot: number,
  userSlot: number,
  held = false,
): Promise<CouponDoc> {
  const validity = campaign.validity!;
  const validFrom = validity.kind === 'range' ? validity.start! : now;
  const expiresAt = validity.kind === 'range' ? validity.end! : new Date(now.getTime() + (validity.days ?? 1) * DAY_MS);
  const created = await Coupon.create({
    campaignId: campaign._id,
    customerId,
    claimantId: customerId,
    stockSlot,
    userSlot,
    version: 0,
    // 75 random bits: a collision is as unlikely as anything gets; if one happened, the claim retries.
    code: newCouponCode(),
    state: held ? 'held' : 'available',
    ...(held ? { review: { heldAt: now } } : {}),
    claimKey,
    channel,
    claimedAt: now,
    validFrom,
    expiresAt,
    name: campaign.name,
    type: campaign.type,
    valueFen: campaign.valueFen,
    thresholdFen: campaign.thresholdFen,
    percentOff: campaign.percentOff,
    maxDiscountFen: campaign.maxDiscountFen,
    giftName: campaign.giftName,
    storeIds: campaign.storeIds,
  });
  return created.toObject() as CouponDoc;
}

export async function listMyCoupons(customerId: Types.ObjectId, state?: string): Promise<CouponDoc[]> {
  const filter: Record<string, unknown> = { customerId };
  if (state) filter.state = state;
  return Coupon.find(filter).sort({ claimedAt: -1 }).limit(200).lean<CouponDoc[]>();
}

export async function getMyCoupon(customerId: Types.ObjectId, couponId: string): Promise<CouponDoc> {
  if (!Types.ObjectId.isValid(couponId)) throw notFound('No such coupon.');
  const coupon = await Coupon.findOne({ _id: couponId, customerId }).lean<CouponDoc>();
  if (!coupon) throw notFound('No such coupon.');
  return coupon;
}
