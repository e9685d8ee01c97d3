// How a coupon or campaign reads to people: its value, its threshold, its validity and state.
import type { CampaignView, CouponView } from '@shared/coupons';
import { t } from '../i18n';
import { formatTime } from './format';

type Valued = Pick<CouponView, 'type' | 'valueFen' | 'thresholdFen' | 'percentOff' | 'maxDiscountFen' | 'giftName'>;

export function yuan(fen: number): string {
  return fen % 100 === 0 ? `¥${fen / 100}` : `¥${(fen / 100).toFixed(2)}`;
}

/** The big figure on the ticket: ¥20, 8.5折 / 15% off, 赠品 / Gift. */
export function couponFace(c: Valued): string {
  if (c.type === 'cash') return yuan(c.valueFen ?? 0);
  if (c.type === 'discount') {
    const percent = c.percentOff ?? 0;
    return t('coupon.discount', { value: ((100 - percent) / 10).toString(), percent });
  }
  return t('coupon.gift');
}

/** The line under it: the threshold and the cap (the gift's own name is data, shown on its own). */
export function couponTerms(c: Valued): string {
  const parts: string[] = [];
  parts.push(c.thresholdFen ? t('coupon.threshold', { amount: yuan(c.thresholdFen) }) : t('coupon.noThreshold'));
  if (c.type === 'discount' && c.maxDiscountFen) parts.push(t('coupon.cap', { amount: yuan(c.maxDiscountFen) }));
  return parts.join(' · ');
}

export function campaignValidity(c: Pick<CampaignView, 'validity'>): string {
  return c.validity.kind === 'days'
    ? t('coupon.validDays', { days: c.validity.days })
    : t('coupon.validRange', { start: formatTime(c.validity.start).slice(0, 10), end: formatTime(c.validity.end).slice(0, 10) });
}

export type WalletTab = 'available' | 'used' | 'expired';

/** Which wallet tab a coupon belongs to now (a coupon past its end may not be swept to expired yet). */
export function walletTab(c: Pick<CouponView, 'state' | 'expiresAt'>, now = Date.now()): WalletTab {
  if (c.state === 'redeemed') return 'used';
  if (c.state === 'expired' || c.state === 'voided' || Date.parse(c.expiresAt) <= now) return 'expired';
  return 'available';
}

/** A fresh key for one claim tap; kept while the request may be retried. */
export function newIdempotencyKey(): string {
  return `claim-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}
