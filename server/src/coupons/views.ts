import type { CampaignView, ClaimChannel, CouponView, RedemptionView } from '@shared/coupons';
import { formatCouponCode } from '@shared/couponCode';
import type { TierId } from '@shared/tiers';
import type { CampaignDoc, CouponDoc, RedemptionDoc } from './model';

const opt = <K extends string, V>(key: K, value: V | null | undefined) =>
  (value === undefined || value === null ? {} : { [key]: value }) as Partial<Record<K, V>>;

export function campaignView(c: CampaignDoc & { issued: number; remaining: number }): CampaignView {
  const validity =
    c.validity?.kind === 'range'
      ? { kind: 'range' as const, start: c.validity.start!.toISOString(), end: c.validity.end!.toISOString() }
      : { kind: 'days' as const, days: c.validity?.days ?? 0 };
  const claimWindow =
    c.claimStart || c.claimEnd ? { ...opt('start', c.claimStart?.toISOString()), ...opt('end', c.claimEnd?.toISOString()) } : undefined;
  return {
    id: c._id.toString(),
    name: c.name,
    type: c.type,
    ...opt('valueFen', c.valueFen),
    ...opt('thresholdFen', c.thresholdFen),
    ...opt('percentOff', c.percentOff),
    ...opt('maxDiscountFen', c.maxDiscountFen),
    ...opt('giftName', c.giftName),
    stock: c.stock,
    issued: c.issued,
    remaining: c.remaining,
    perUserLimit: c.perUserLimit,
    validity,
    ...(claimWindow ? { claimWindow } : {}),
    storeIds: (c.storeIds ?? []).map(String),
    channels: (c.channels ?? []) as ClaimChannel[],
    status: c.status,
    ...opt('pointsPrice', c.pointsPrice),
    tiers: (c.tiers ?? []) as TierId[],
    holdSuspicious: c.holdSuspicious ?? false,
  };
}

export function couponView(c: CouponDoc): CouponView {
  return {
    id: c._id.toString(),
    campaignId: c.campaignId.toString(),
    code: formatCouponCode(c.code),
    state: c.state,
    name: c.name,
    type: c.type,
    ...opt('valueFen', c.valueFen),
    ...opt('thresholdFen', c.thresholdFen),
    ...opt('percentOff', c.percentOff),
    ...opt('maxDiscountFen', c.maxDiscountFen),
    ...opt('giftName', c.giftName),
    storeIds: (c.storeIds ?? []).map(String),
    channel: c.channel,
    claimedAt: c.claimedAt.toISOString(),
    validFrom: c.validFrom.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
    ...opt('redeemedAt', c.redemption?.at?.toISOString()),
  };
}

export function redemptionView(r: RedemptionDoc): RedemptionView {
  return {
    id: r._id.toString(),
    couponId: r.couponId.toString(),
    code: formatCouponCode(r.code),
    customerId: r.customerId.toString(),
    storeId: r.storeId.toString(),
    staffId: r.staffId.toString(),
    ...opt('orderAmountFen', r.orderAmountFen),
    discountFen: r.discountFen,
    at: r.at.toISOString(),
    status: r.status,
    ...opt('voidedAt', r.voidedAt?.toISOString()),
  };
}
