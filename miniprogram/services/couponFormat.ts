// How a coupon or campaign reads to people: its value, its threshold, its validity and state.
import type { CampaignView, CouponState, CouponView } from '@shared/coupons';
import { formatTime } from './format';

type Valued = Pick<CouponView, 'type' | 'valueFen' | 'thresholdFen' | 'percentOff' | 'maxDiscountFen' | 'giftName'>;

export function yuan(fen: number): string {
  return fen % 100 === 0 ? `¥${fen / 100}` : `¥${(fen / 100).toFixed(2)}`;
}

/** The big figure on the ticket: ¥20, 8.5折, 赠品. */
export function couponFace(c: Valued): string {
  if (c.type === 'cash') return yuan(c.valueFen ?? 0);
  if (c.type === 'discount') return `${((100 - (c.percentOff ?? 0)) / 10).toString()}折`;
  return '赠品';
}

/** The line under it: the threshold, the cap, the gift. */
export function couponTerms(c: Valued): string {
  const parts: string[] = [];
  if (c.type === 'gift') parts.push(c.giftName ?? '');
  parts.push(c.thresholdFen ? `满${yuan(c.thresholdFen)}可用` : '无门槛');
  if (c.type === 'discount' && c.maxDiscountFen) parts.push(`最高减${yuan(c.maxDiscountFen)}`);
  return parts.filter(Boolean).join(' · ');
}

export function campaignValidity(c: Pick<CampaignView, 'validity'>): string {
  return c.validity.kind === 'days'
    ? `领取后 ${c.validity.days} 天内有效`
    : `${formatTime(c.validity.start).slice(0, 10)} 至 ${formatTime(c.validity.end).slice(0, 10)}`;
}

export type WalletTab = 'available' | 'used' | 'expired';

/** Which wallet tab a coupon belongs to now (a coupon past its end may not be swept to expired yet). */
export function walletTab(c: Pick<CouponView, 'state' | 'expiresAt'>, now = Date.now()): WalletTab {
  if (c.state === 'redeemed') return 'used';
  if (c.state === 'expired' || c.state === 'voided' || Date.parse(c.expiresAt) <= now) return 'expired';
  return 'available';
}

export const STATE_LABEL: Record<CouponState, string> = {
  available: '可使用',
  gifting: '赠送中',
  redeemed: '已使用',
  expired: '已过期',
  voided: '已作废',
};

/** A fresh key for one claim tap; kept while the request may be retried. */
export function newIdempotencyKey(): string {
  return `claim-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
