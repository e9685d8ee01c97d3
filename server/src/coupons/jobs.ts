import type { Logger } from '../platform/logger';
import type { PeriodicJob } from '../platform/jobs/periodic';
import { appendTimeline, openidOf } from '../customers';
import type { WechatPlatform } from '../wechat/platform';
import { ErrorCode } from '@shared/errors';
import { isDuplicateKey } from '../platform/db/errors';
import { conflict, DomainError } from '../platform/errors';
import { returnGift } from './gifts';
import { Coupon, CouponGift, CouponReminder, type CouponDoc, type GiftDoc } from './model';
import { stockLeaseSweepJob } from './stock';
import { transitionCoupon } from './transitions';

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
  expired: number;
  reminded: number;
}

/**
 * One pass of coupon housekeeping. Every step is an exclusive coupon transition or a unique insert, so two
 * instances running it at once (or a pass cut short and repeated) do each thing exactly once.
 */
export async function runCouponSweep(now: Date, deps: SweepDeps = {}): Promise<SweepReport> {
  const report: SweepReport = { giftsReturned: 0, expired: 0, reminded: 0 };

  const lapsedGifts = await CouponGift.find({ status: 'open', expiresAt: { $lte: now } })
    .limit(BATCH)
    .lean<GiftDoc[]>();
  for (const gift of lapsedGifts) if (await returnGift(gift, now)) report.giftsReturned++;

  const due = await Coupon.find({ state: 'available', expiresAt: { $lte: now } })
    .limit(BATCH)
    .lean<CouponDoc[]>();
  for (const coupon of due) {
    let expired: CouponDoc;
    try {
      ({ after: expired } = await transitionCoupon(coupon._id, (current) => {
        if (current.state !== 'available' || current.expiresAt > now) throw conflict(ErrorCode.CONFLICT, 'not due');
        return { kind: 'expire', set: { state: 'expired' } };
      }));
    } catch (err) {
      if (err instanceof DomainError) continue; // another pass got there first
      throw err;
    }
    report.expired++;
    await appendTimeline(expired.customerId, {
      type: 'coupon.expired',
      channel: 'system',
      summary: `Coupon "${expired.name}" expired unused`,
      data: { couponId: expired._id.toString() },
      at: now,
    });
  }

  const soon = await Coupon.find({ state: 'available', expiresAt: { $gt: now, $lte: new Date(now.getTime() + DAY_MS) } })
    .limit(BATCH)
    .lean<CouponDoc[]>();
  const reminded = new Set(
    (await CouponReminder.find({ _id: { $in: soon.map((c) => c._id) } }, { _id: 1 }).lean()).map((r) => String(r._id)),
  );
  for (const coupon of soon) {
    if (reminded.has(coupon._id.toString())) continue;
    try {
      // The unique _id makes this pass the only one that reminds about this coupon.
      await CouponReminder.create({ _id: coupon._id, customerId: coupon.customerId, at: now });
    } catch (err) {
      if (isDuplicateKey(err)) continue;
      throw err;
    }
    report.reminded++;
    const delivered = deps.wechat ? await sendReminder(coupon, deps) : false;
    await appendTimeline(coupon.customerId, {
      type: 'coupon.expiry_reminder',
      channel: 'system',
      summary: `Coupon "${coupon.name}" expires tomorrow`,
      data: { couponId: coupon._id.toString(), expiresAt: coupon.expiresAt.toISOString(), messageSent: delivered },
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
    stockLeaseSweepJob,
    {
      name: 'coupons.sweep',
      intervalMs,
      run: async (now) => {
        const report = await runCouponSweep(now, deps);
        if (report.expired || report.giftsReturned || report.reminded) {
          deps.log?.info(report, 'coupon sweep');
        }
      },
    },
  ];
}
