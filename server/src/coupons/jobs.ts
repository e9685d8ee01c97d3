import type { Logger } from '../platform/logger';
import type { PeriodicJob } from '../platform/jobs/periodic';
import { appendTimeline, openidOf } from '../customers/service';
import type { WechatPlatform } from '../wechat/platform';
import { completeGiftTransfer, returnGift } from './gifts';
import { Coupon, CouponGift, type CouponDoc, type GiftDoc } from './model';

const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;
/** Subscribe-message template for "your coupon expires tomorrow" (configured in the platform console). */
export const EXPIRY_REMINDER_TEMPLATE = 'coupon_expiry_reminder';

export interface SweepDeps {
  log?: Logger | undefined;
  wechat?: WechatPlatform | undefined;
  miniProgramAppId?: string | undefined;
}

export interface SweepReport {
  giftsReturned: number;
  giftsCompleted: number;
  expired: number;
  reminded: number;
}

/**
 * One pass of coupon housekeeping. Every step is a guarded single-document update, so two
 * instances running it at once (or a pass cut short and repeated) do each thing exactly once.
 */
export async function runCouponSweep(now: Date, deps: SweepDeps = {}): Promise<SweepReport> {
  const report: SweepReport = { giftsReturned: 0, giftsCompleted: 0, expired: 0, reminded: 0 };

  const lapsedGifts = await CouponGift.find({ status: 'open', expiresAt: { $lte: now } }).limit(BATCH).lean<GiftDoc[]>();
  for (const gift of lapsedGifts) if (await returnGift(gift, now)) report.giftsReturned++;

  // Acceptances whose coupon move was cut short (a crash between the two updates).
  const stuck = await CouponGift.find({ status: 'accepted', transferredAt: { $exists: false } }).limit(BATCH).lean<GiftDoc[]>();
  for (const gift of stuck) {
    if (gift.acceptedAt && now.getTime() - gift.acceptedAt.getTime() < 60_000) continue;
    await completeGiftTransfer(gift, now);
    report.giftsCompleted++;
  }

  const due = await Coupon.find({ state: 'available', expiresAt: { $lte: now } }).limit(BATCH).lean<CouponDoc[]>();
  for (const coupon of due) {
    const expired = await Coupon.findOneAndUpdate(
      { _id: coupon._id, state: 'available', expiresAt: { $lte: now } },
      { $set: { state: 'expired' } },
      { new: true },
    ).lean<CouponDoc>();
    if (!expired) continue;
    report.expired++;
    await appendTimeline(expired.customerId, {
      type: 'coupon.expired',
      channel: 'system',
      summary: `Coupon "${expired.name}" expired unused`,
      data: { couponId: expired._id.toString() },
      at: now,
    });
  }

  const soon = await Coupon.find({
    state: 'available',
    expiresAt: { $gt: now, $lte: new Date(now.getTime() + DAY_MS) },
    reminderSentAt: { $exists: false },
  })
    .limit(BATCH)
    .lean<CouponDoc[]>();
  for (const coupon of soon) {
    const claimed = await Coupon.findOneAndUpdate(
      { _id: coupon._id, state: 'available', reminderSentAt: { $exists: false } },
      { $set: { reminderSentAt: now } },
      { new: true },
    ).lean<CouponDoc>();
    if (!claimed) continue;
    report.reminded++;
    let delivered = false;
    if (deps.wechat) delivered = await sendReminder(claimed, deps);
    await appendTimeline(claimed.customerId, {
      type: 'coupon.expiry_reminder',
      channel: 'system',
      summary: `Coupon "${claimed.name}" expires tomorrow`,
      data: { couponId: claimed._id.toString(), expiresAt: claimed.expiresAt.toISOString(), messageSent: delivered },
      at: now,
    });
  }
  return report;
}

async function sendReminder(coupon: CouponDoc, deps: SweepDeps): Promise<boolean> {
  try {
    const openid = await openidOf(coupon.customerId, 'mini_program');
    if (!openid || !deps.wechat) return false;
    await deps.wechat.miniProgram.sendSubscribeMessage({
      touser: openid,
      template_id: EXPIRY_REMINDER_TEMPLATE,
      page: `pages/coupons/detail/index?id=${coupon._id.toString()}`,
      data: {
        thing1: { value: coupon.name.slice(0, 20) },
        time2: { value: coupon.expiresAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' },
      },
    });
    return true;
  } catch (err) {
    // The customer may not have subscribed; the timeline entry is the record either way.
    deps.log?.warn({ err, couponId: coupon._id.toString() }, 'coupon reminder not delivered');
    return false;
  }
}

export function couponJobs(deps: SweepDeps, intervalMs = 60_000): PeriodicJob[] {
  return [
    {
      name: 'coupons.sweep',
      intervalMs,
      run: async (now) => {
        const report = await runCouponSweep(now, deps);
        if (report.expired || report.giftsReturned || report.reminded || report.giftsCompleted) {
          deps.log?.info(report, 'coupon sweep');
        }
      },
    },
  ];
}
