import { randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { ErrorCode, type AnyErrorCode } from '@shared/errors';
import { MemberErrorCode } from '@shared/api/members';
import { tierById } from '@shared/tiers';
import { appendTimeline } from '../customers';
import {
  claimCoupon,
  claimPrecheck,
  findCouponByClaimKey,
  getIssuedCoupon,
  listClaimableCampaigns,
  tierAllows,
  unlockingTier,
  voidIssuedCoupon,
  type CampaignWithCounts,
  type CouponDoc,
} from '../coupons';
import { findLedgerEntry, memberTierOf, pointsBalance, refundPoints, spendPoints } from '../members';
import { isDuplicateKey } from '../platform/db/errors';
import { failpoint } from '../platform/failpoints';
import { conflict, isConflict, notFound } from '../platform/http/errors';
import { ExchangeOutcome, PointsExchange, type ExchangeDoc, type OutcomeDoc } from './model';

/*
 * A points exchange spends points and issues a coupon: two writes in two collections, with no
 * transaction to join them. It is made both-or-neither like this:
 *   1. the exchange is recorded under its idempotency key (a unique _id);
 *   2. the points are spent under the ledger key `points-exchange:<id>` (a spend posted at most once);
 *   3. the coupon is claimed under the claim key of the same id (issued at most once);
 *   4. the outcome is inserted under the exchange's _id: exactly one writer decides it.
 * Any step can be repeated, by the same request sent again or by the recovery job that picks up
 * exchanges left pending by a crash, and it does the same thing again or finds it done. Whoever
 * decides the outcome first wins; everyone then *settles* to it: `issued` needs nothing more;
 * `refused`/`refunded` give back a spend if one was posted (once, under `refund:<ledger key>`) and
 * withdraw a coupon if one was issued. So at rest, points were spent exactly when a coupon stands.
 */

export const EXCHANGE_CHANNEL = 'points' as const;
/** How long a pending exchange is left to its own request before the recovery job finishes it. */
export const RECOVERY_GRACE_MS = 30_000;

const exchangeId = (customerId: Types.ObjectId, campaignId: Types.ObjectId, key: string) =>
  `${customerId.toString()}:${campaignId.toString()}:${key}`;
const spendKey = (exchange: Pick<ExchangeDoc, '_id'>) => `points-exchange:${exchange._id}`;

export interface ExchangeResult {
  exchange: ExchangeDoc;
  coupon: CouponDoc;
  /** False when an earlier request with the same key made it. */
  created: boolean;
}

/** Exchanges points for one coupon of a campaign offered for points. Idempotent on the key. */
export async function exchangePoints(
  customerId: Types.ObjectId,
  campaignId: string,
  options: { idempotencyKey?: string | undefined; now?: Date } = {},
): Promise<ExchangeResult> {
  const now = options.now ?? new Date();
  if (!Types.ObjectId.isValid(campaignId)) throw notFound('No such campaign.');
  const key = options.idempotencyKey ?? randomUUID();
  const id = exchangeId(customerId, new Types.ObjectId(campaignId), key);
  const earlier = await PointsExchange.findById(id).lean<ExchangeDoc>();
  if (earlier) return { ...(await completeExchange(earlier, now)), created: false };

  // Refuse what would be refused anyway before writing anything.
  const campaign = await claimPrecheck(campaignId, customerId, EXCHANGE_CHANNEL, now);
  if (!campaign.pointsPrice) throw conflict('NOT_CLAIMABLE', 'This campaign is not offered for points.');
  if (!(await memberTierOf(customerId, now))) throw conflict(MemberErrorCode.NOT_A_MEMBER, 'Join the membership first.');
  if ((await pointsBalance(customerId)) < campaign.pointsPrice) throw insufficient();

  let exchange: ExchangeDoc;
  try {
    exchange = (
      await PointsExchange.create({
        _id: id,
        customerId,
        campaignId: campaign._id,
        key,
        name: campaign.name,
        points: campaign.pointsPrice,
        state: 'pending',
        createdAt: now,
      })
    ).toObject() as ExchangeDoc;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    exchange = (await PointsExchange.findById(id).lean<ExchangeDoc>())!;
    return { ...(await completeExchange(exchange, now)), created: false };
  }
  return { ...(await completeExchange(exchange, now)), created: true };
}

const insufficient = () => conflict(MemberErrorCode.INSUFFICIENT_POINTS, 'Not enough points.');

/** Runs (or re-runs) the steps of an exchange and settles it; throws the 409 of a refused exchange. */
export async function completeExchange(exchange: ExchangeDoc, now = new Date()): Promise<Omit<ExchangeResult, 'created'>> {
  const decided = await ExchangeOutcome.findById(exchange._id).lean<OutcomeDoc>();
  if (decided) return settle(exchange, decided);

  try {
    await spendPoints(exchange.customerId, exchange.points, `Exchanged for "${exchange.name}"`, spendKey(exchange), { at: now });
  } catch (err) {
    if (!isConflict(err)) throw err;
    return settle(exchange, await decide(exchange, { outcome: 'refused', code: err.code, message: err.message }));
  }
  failpoint('points-exchange.after-spend');

  let coupon: CouponDoc;
  try {
    ({ coupon } = await claimCoupon(exchange.campaignId, exchange.customerId, {
      channel: EXCHANGE_CHANNEL,
      idempotencyKey: exchange.key,
      now,
    }));
  } catch (err) {
    if (!isConflict(err)) throw err;
    return settle(exchange, await decide(exchange, { outcome: 'refunded', code: err.code, message: err.message }));
  }
  failpoint('points-exchange.after-issue');
  return settle(exchange, await decide(exchange, { outcome: 'issued', couponId: coupon._id }));
}

type Proposal = { outcome: 'issued'; couponId: Types.ObjectId } | { outcome: 'refused' | 'refunded'; code: string; message: string };

/** Inserts the outcome; the first writer's stands and is returned to everyone. */
async function decide(exchange: ExchangeDoc, proposal: Proposal): Promise<OutcomeDoc> {
  try {
    const created = await ExchangeOutcome.create({ _id: exchange._id, customerId: exchange.customerId, ...proposal, at: new Date() });
    const outcome = created.toObject() as OutcomeDoc;
    if (outcome.outcome === 'issued') {
      await appendTimeline(exchange.customerId, {
        type: 'points.exchanged',
        channel: 'mini_program',
        summary: `Exchanged ${exchange.points} points for "${exchange.name}"`,
        data: {
          exchangeId: exchange._id,
          campaignId: exchange.campaignId.toString(),
          couponId: proposal.outcome === 'issued' ? proposal.couponId.toString() : null,
          points: exchange.points,
        },
      });
    }
    return outcome;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return (await ExchangeOutcome.findById(exchange._id).lean<OutcomeDoc>())!;
  }
}

/** Brings the world in line with the outcome, records it on the exchange, and answers (or throws its 409). */
async function settle(exchange: ExchangeDoc, outcome: OutcomeDoc): Promise<Omit<ExchangeResult, 'created'>> {
  if (outcome.outcome === 'issued') {
    const coupon = await getIssuedCoupon(outcome.couponId!);
    if (exchange.state !== 'issued') {
      await PointsExchange.updateOne(
        { _id: exchange._id },
        { $set: { state: 'issued', couponId: outcome.couponId, settledAt: new Date() } },
      );
    }
    return { exchange: { ...exchange, state: 'issued', couponId: outcome.couponId }, coupon };
  }
  // Not issued: nothing may stand. A spend posted by any attempt is given back; a coupon a racing
  // attempt issued before it learnt the outcome is withdrawn.
  if (await findLedgerEntry(spendKey(exchange))) {
    await refundPoints(exchange.customerId, spendKey(exchange), `Exchange for "${exchange.name}" did not go through`);
  }
  const stray = await findCouponByClaimKey(exchange.customerId, exchange.campaignId, exchange.key);
  if (stray) await voidIssuedCoupon(stray._id, 'points exchange undone');
  if (exchange.state !== outcome.outcome) {
    await PointsExchange.updateOne(
      { _id: exchange._id },
      { $set: { state: outcome.outcome, errorCode: outcome.code, errorMessage: outcome.message, settledAt: new Date() } },
    );
  }
  throw conflict((outcome.code as AnyErrorCode | undefined) ?? ErrorCode.CONFLICT, outcome.message ?? 'The exchange did not go through.');
}

/**
 * The recovery pass (lease-held job): finishes exchanges whose request died before settling, and
 * re-settles refused/refunded ones once after the grace period, in case an attempt racing with the
 * decision issued something after it was settled. Idempotent.
 */
export async function recoverExchanges(now = new Date(), graceMs = RECOVERY_GRACE_MS): Promise<{ completed: number; checked: number }> {
  const before = new Date(now.getTime() - graceMs);
  const pending = await PointsExchange.find({ state: 'pending', createdAt: { $lt: before } })
    .sort({ createdAt: 1 })
    .limit(100)
    .lean<ExchangeDoc[]>();
  let completed = 0;
  for (const exchange of pending) {
    try {
      await completeExchange(exchange, now);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    completed++;
  }
  const unsettled = await PointsExchange.find({ verified: false, state: { $in: ['refused', 'refunded'] }, settledAt: { $lt: before } })
    .limit(100)
    .lean<ExchangeDoc[]>();
  for (const exchange of unsettled) {
    try {
      await completeExchange(exchange, now);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    await PointsExchange.updateOne({ _id: exchange._id }, { $set: { verified: true } });
  }
  return { completed, checked: unsettled.length };
}

/** What the member can exchange now: open campaigns offered for points, with price and tier lock. */
export async function listOffers(customerId: Types.ObjectId, now = new Date()) {
  const tier = await memberTierOf(customerId, now);
  if (!tier) throw conflict(MemberErrorCode.NOT_A_MEMBER, 'Join the membership first.');
  const [campaigns, balance] = await Promise.all([listClaimableCampaigns(EXCHANGE_CHANNEL, now), pointsBalance(customerId)]);
  const offers: Array<{ campaign: CampaignWithCounts; affordable: boolean; requiredTier?: { id: string; name: string } }> = [];
  for (const campaign of campaigns) {
    if (!campaign.pointsPrice) continue;
    if (tierAllows(campaign, tier)) offers.push({ campaign, affordable: balance >= campaign.pointsPrice });
    else {
      const needed = unlockingTier(campaign, tier);
      if (needed) offers.push({ campaign, affordable: false, requiredTier: { id: needed.id, name: needed.name } });
    }
  }
  return { balance, tier: tierById(tier.id), offers };
}

export async function listExchanges(customerId: Types.ObjectId): Promise<ExchangeDoc[]> {
  return PointsExchange.find({ customerId }).sort({ createdAt: -1 }).limit(50).lean<ExchangeDoc[]>();
}
