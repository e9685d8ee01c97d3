import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignSchema, type CreateCampaignInput } from '@shared/coupons';
import { formatCouponCode } from '@shared/couponCode';
import { testDatabaseUri } from '../../test/helpers';
import { listTimeline } from '../customers/service';
import { TimelineEntry } from '../customers/model';
import { createCampaign, listClaimableCampaigns, updateCampaign } from './campaigns';
import { claimCoupon } from './claim';
import { funnelReport } from './funnel';
import { acceptGift, createGift } from './gifts';
import { runCouponSweep } from './jobs';
import { Campaign, Coupon, CouponGift, Redemption, couponModels } from './model';
import { issueQrToken } from './qr';
import { previewRedemption, redeemCoupon, voidRedemption } from './redeem';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await Promise.all([...couponModels, TimelineEntry].map((m) => m.init()));
});
afterAll(async () => {
  await mongoose.disconnect();
});

const HOUR = 60 * 60 * 1000;
const storeA = new Types.ObjectId();
const storeB = new Types.ObjectId();
const clerk = new Types.ObjectId();
const manager = new Types.ObjectId();

async function campaign(overrides: Partial<CreateCampaignInput> = {}) {
  return createCampaign(
    createCampaignSchema.parse({
      name: 'Spring 20 off',
      type: 'cash',
      valueFen: 2000,
      stock: 10,
      perUserLimit: 1,
      validity: { kind: 'days', days: 7 },
      ...overrides,
    }),
  );
}

const codeOf = (c: { code: string }) => formatCouponCode(c.code);

async function settle<T>(promises: Promise<T>[]) {
  const results = await Promise.allSettled(promises);
  const ok = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code?: string }).code ?? String(r.reason)] : []));
  return { ok, errors };
}

describe('claiming', () => {
  it('holds stock and the per-user limit under a storm of 160 concurrent claims from 80 customers', async () => {
    const c = await campaign({ stock: 50, perUserLimit: 1 });
    const customers = Array.from({ length: 80 }, () => new Types.ObjectId());
    const attempts = customers.flatMap((customerId, i) => [
      claimCoupon(c._id, customerId, { channel: 'mini_program', idempotencyKey: `storm-${i}-a` }),
      claimCoupon(c._id, customerId, { channel: 'mini_program', idempotencyKey: `storm-${i}-b` }),
    ]);
    const { ok, errors } = await settle(attempts);

    expect(ok).toHaveLength(50);
    expect(errors.filter((e) => e !== 'OUT_OF_STOCK' && e !== 'LIMIT_REACHED')).toEqual([]);
    expect(errors).toHaveLength(110);
    expect(await Coupon.countDocuments({ campaignId: c._id })).toBe(50);
    const slots = (await Coupon.find({ campaignId: c._id }).lean()).map((x) => x.stockSlot);
    expect(new Set(slots).size).toBe(50);
    expect(Math.max(...slots)).toBeLessThan(50);
    const perCustomer = new Map<string, number>();
    for (const coupon of await Coupon.find({ campaignId: c._id }).lean()) {
      perCustomer.set(String(coupon.customerId), (perCustomer.get(String(coupon.customerId)) ?? 0) + 1);
    }
    expect(Math.max(...perCustomer.values())).toBe(1);
    expect(await funnelReport(c._id.toString())).toMatchObject({ issued: 50, claimed: 50 });
    // Retries of the winners' keys return their coupons, not new ones.
    const winners = await Coupon.find({ campaignId: c._id }).limit(10).lean();
    for (const w of winners) {
      const again = await claimCoupon(c._id, w.claimantId, {
        channel: 'mini_program',
        idempotencyKey: w.claimKey.slice(w.claimKey.indexOf(':') + 1),
      });
      expect(again).toMatchObject({ created: false });
      expect(again.coupon._id.equals(w._id)).toBe(true);
    }
  });

  it('returns the same coupon for the same idempotency key, also when the retries race', async () => {
    const c = await campaign({ stock: 5, perUserLimit: 3 });
    const customer = new Types.ObjectId();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => claimCoupon(c._id, customer, { channel: 'mini_program', idempotencyKey: 'same-key-123' })),
    );
    expect(new Set(results.map((r) => r.coupon._id.toString())).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await Coupon.countDocuments({ customerId: customer })).toBe(1);
    const later = await claimCoupon(c._id, customer, { channel: 'mini_program', idempotencyKey: 'same-key-123' });
    expect(later.coupon._id.equals(results[0]!.coupon._id)).toBe(true);
    const timeline = await listTimeline(customer, { types: ['coupon.claimed'] });
    expect(timeline).toHaveLength(1);
  });

  it('refuses with NOT_STARTED, ENDED, LIMIT_REACHED and OUT_OF_STOCK, and lets stock be raised but not below issued', async () => {
    const later = await campaign({ claimWindow: { start: new Date(Date.now() + HOUR).toISOString() } });
    await expect(claimCoupon(later._id, new Types.ObjectId(), { channel: 'mini_program' })).rejects.toMatchObject({ code: 'NOT_STARTED' });
    const over = await campaign({
      validity: { kind: 'range', start: new Date(Date.now() - 2 * HOUR).toISOString(), end: new Date(Date.now() - HOUR).toISOString() },
    });
    await expect(claimCoupon(over._id, new Types.ObjectId(), { channel: 'mini_program' })).rejects.toMatchObject({ code: 'ENDED' });

    const small = await campaign({ stock: 1, perUserLimit: 1 });
    const someone = new Types.ObjectId();
    await claimCoupon(small._id, someone, { channel: 'mini_program' });
    await expect(claimCoupon(small._id, someone, { channel: 'mini_program' })).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    await expect(claimCoupon(small._id, new Types.ObjectId(), { channel: 'mini_program' })).rejects.toMatchObject({ code: 'OUT_OF_STOCK' });
    await expect(updateCampaign(small._id.toString(), { stock: 0 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await listClaimableCampaigns()).map((x) => String(x._id))).not.toContain(String(small._id));
    await updateCampaign(small._id.toString(), { stock: 2 });
    await claimCoupon(small._id, new Types.ObjectId(), { channel: 'mini_program' });
    expect(await Campaign.findById(small._id).lean()).toMatchObject({ stock: 2 });
    expect(await Coupon.countDocuments({ campaignId: small._id })).toBe(2);
  });
});

describe('redemption', () => {
  it('succeeds exactly once under 50 concurrent attempts, and a void restores everything', async () => {
    const c = await campaign({ thresholdFen: 5000 });
    const customer = new Types.ObjectId();
    const { coupon } = await claimCoupon(c._id, customer, { channel: 'mini_program' });

    const preview = await previewRedemption({ code: codeOf(coupon).toLowerCase(), orderAmountFen: 6000 }, { storeId: storeA });
    expect(preview).toMatchObject({ usable: true, discountFen: 2000 });
    await expect(redeemCoupon({ code: codeOf(coupon), orderAmountFen: 4000 }, { storeId: storeA, staffId: clerk })).rejects.toMatchObject({
      code: 'THRESHOLD_NOT_MET',
    });

    const { ok, errors } = await settle(
      Array.from({ length: 50 }, () => redeemCoupon({ code: codeOf(coupon), orderAmountFen: 6000 }, { storeId: storeA, staffId: clerk })),
    );
    expect(ok).toHaveLength(1);
    expect(errors).toEqual(Array(49).fill('ALREADY_REDEEMED'));
    expect(ok[0]!.redemption).toMatchObject({ discountFen: 2000, orderAmountFen: 6000, status: 'done' });
    expect(await Redemption.countDocuments({ couponId: coupon._id })).toBe(1);
    expect((await funnelReport(c._id.toString())).redeemed).toBe(1);

    const voided = await voidRedemption(ok[0]!.redemption._id.toString(), manager);
    expect(voided.coupon?.state).toBe('available');
    await expect(voidRedemption(ok[0]!.redemption._id.toString(), manager)).rejects.toMatchObject({ code: 'ALREADY_VOIDED' });
    const report = await funnelReport(c._id.toString());
    expect(report).toMatchObject({ redeemed: 0 });
    expect(report.byStore[0]).toMatchObject({ redeemed: 0, voided: 1 });
    const types = (await listTimeline(customer)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['coupon.claimed', 'coupon.redeemed', 'coupon.redemption_voided']));

    // Usable again after the void, exactly once again.
    const again = await redeemCoupon({ code: codeOf(coupon), orderAmountFen: 7000 }, { storeId: storeA, staffId: clerk });
    await expect(voidRedemption(again.redemption._id.toString(), manager, new Date(Date.now() + 11 * 60 * 1000))).rejects.toMatchObject({
      code: 'VOID_WINDOW_PASSED',
    });
  });

  it('accepts a fresh QR token in place of the code, refuses stale or forged ones, and checks the store', async () => {
    const c = await campaign({
      type: 'discount',
      valueFen: undefined,
      percentOff: 20,
      maxDiscountFen: 1500,
      storeIds: [storeA.toString()],
    });
    const { coupon } = await claimCoupon(c._id, new Types.ObjectId(), { channel: 'mini_program' });
    const { token } = await issueQrToken(coupon._id);
    expect(await previewRedemption({ qrToken: token }, { storeId: storeB })).toMatchObject({ usable: false, reason: 'NOT_USABLE_HERE' });
    const stale = await issueQrToken(coupon._id, new Date(Date.now() - 61_000));
    await expect(redeemCoupon({ qrToken: stale.token, orderAmountFen: 1000 }, { storeId: storeA, staffId: clerk })).rejects.toMatchObject({
      code: 'QR_TOKEN_EXPIRED',
    });
    const forged = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    await expect(redeemCoupon({ qrToken: forged, orderAmountFen: 1000 }, { storeId: storeA, staffId: clerk })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const done = await redeemCoupon({ qrToken: token, orderAmountFen: 10000 }, { storeId: storeA, staffId: clerk });
    expect(done.redemption.discountFen).toBe(1500); // 20% of 100 yuan, capped at 15
  });

  it('answers 404 for unknown or mistyped codes and EXPIRED for expired coupons', async () => {
    await expect(redeemCoupon({ code: 'NOPE' }, { storeId: storeA, staffId: clerk })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const c = await campaign({ validity: { kind: 'days', days: 1 } });
    const { coupon } = await claimCoupon(c._id, new Types.ObjectId(), { channel: 'mini_program' });
    await expect(
      redeemCoupon({ code: codeOf(coupon) }, { storeId: storeA, staffId: clerk }, new Date(Date.now() + 2 * 24 * HOUR)),
    ).rejects.toMatchObject({ code: 'EXPIRED' });
  });
});

describe('gifting', () => {
  it('moves the coupon to exactly one of two friends accepting at once, never back to the giver', async () => {
    const c = await campaign();
    const giver = new Types.ObjectId();
    const [friendA, friendB] = [new Types.ObjectId(), new Types.ObjectId()];
    const { coupon } = await claimCoupon(c._id, giver, { channel: 'mini_program' });
    const gift = await createGift(coupon._id.toString(), giver);
    expect(gift.token.length).toBeGreaterThanOrEqual(22);
    expect((await Coupon.findById(coupon._id).lean())?.state).toBe('gifting');
    await expect(acceptGift(gift.token, giver)).rejects.toMatchObject({ code: 'OWN_GIFT' });

    const { ok, errors } = await settle([acceptGift(gift.token, friendA), acceptGift(gift.token, friendB)]);
    expect(ok).toHaveLength(1);
    expect(errors).toEqual(['GIFT_TAKEN']);
    const moved = await Coupon.findById(coupon._id).lean();
    expect(moved?.state).toBe('available');
    expect([friendA.toString(), friendB.toString()]).toContain(moved?.customerId.toString());
    const winner = moved!.customerId;
    expect((await listTimeline(giver, { types: ['coupon.gift_sent'] }))[0]?.data).toMatchObject({ toCustomerId: winner.toString() });
    expect((await listTimeline(winner, { types: ['coupon.gift_received'] }))[0]?.data).toMatchObject({ fromCustomerId: giver.toString() });
    expect((await funnelReport(c._id.toString())).gifted).toBe(1);
    // Many concurrent accepts of a fresh gift: still exactly one.
    const second = await createGift(coupon._id.toString(), winner);
    const storm = await settle(Array.from({ length: 20 }, () => acceptGift(second.token, new Types.ObjectId())));
    expect(storm.ok).toHaveLength(1);
  });
});

describe('the sweep job', () => {
  it('returns lapsed gifts, expires coupons once, and reminds the day before, also when two passes race', async () => {
    const c = await campaign({ validity: { kind: 'days', days: 2 } });
    const giver = new Types.ObjectId();
    const holder = new Types.ObjectId();
    const gifted = (await claimCoupon(c._id, giver, { channel: 'mini_program' })).coupon;
    const kept = (await claimCoupon(c._id, holder, { channel: 'mini_program' })).coupon;
    await createGift(gifted._id.toString(), giver);

    const afterGiftWindow = new Date(Date.now() + 25 * HOUR);
    const [first, second] = await Promise.all([runCouponSweep(afterGiftWindow), runCouponSweep(afterGiftWindow)]);
    expect(first.giftsReturned + second.giftsReturned).toBe(1);
    expect((await Coupon.findById(gifted._id).lean())?.state).toBe('available');
    expect((await CouponGift.findOne({ couponId: gifted._id }).lean())?.status).toBe('returned');
    expect(first.reminded + second.reminded).toBeGreaterThanOrEqual(2);
    expect(await listTimeline(holder, { types: ['coupon.expiry_reminder'] })).toHaveLength(1);

    const afterExpiry = new Date(Date.now() + 49 * HOUR);
    const passes = await Promise.all([runCouponSweep(afterExpiry), runCouponSweep(afterExpiry)]);
    expect(passes[0]!.expired + passes[1]!.expired).toBeGreaterThanOrEqual(2);
    expect((await Coupon.findById(kept._id).lean())?.state).toBe('expired');
    expect(await listTimeline(holder, { types: ['coupon.expired'] })).toHaveLength(1);
    await expect(redeemCoupon({ code: codeOf(kept) }, { storeId: storeA, staffId: clerk })).rejects.toMatchObject({ code: 'EXPIRED' });
  });
});

describe('funnel report', () => {
  it('breaks counts down by channel, store and clerk and flags a clerk far above the store', async () => {
    const c = await campaign({ stock: 40, perUserLimit: 1, channels: ['mini_program', 'oa_follow'] });
    const quiet = new Types.ObjectId();
    const busy = new Types.ObjectId();
    const coupons = [];
    for (let i = 0; i < 16; i++) {
      const channel = i < 12 ? ('mini_program' as const) : ('oa_follow' as const);
      coupons.push((await claimCoupon(c._id, new Types.ObjectId(), { channel })).coupon);
    }
    for (const [i, coupon] of coupons.entries()) {
      if (i === 15) continue;
      await redeemCoupon({ code: codeOf(coupon) }, { storeId: storeB, staffId: i < 2 ? quiet : busy });
    }
    const report = await funnelReport(c._id.toString());
    expect(report).toMatchObject({ stock: 40, issued: 16, claimed: 16, redeemed: 15 });
    expect(report.byChannel.find((r) => r.key === 'oa_follow')).toMatchObject({ claimed: 4, redeemed: 3, redemptionRate: 0.75 });
    expect(report.byStore).toEqual([expect.objectContaining({ key: storeB.toString(), redeemed: 15 })]);
    expect(report.byClerk.find((r) => r.staffId === busy.toString())).toMatchObject({ redeemed: 13, flagged: true });
    expect(report.byClerk.find((r) => r.staffId === quiet.toString())).toMatchObject({ redeemed: 2, flagged: false });
  });
});
