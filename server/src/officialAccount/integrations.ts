import type { Types } from 'mongoose';
import { DEFAULT_LANGUAGE, translate, type MessageKey, type MessageParams } from '@shared/i18n';
import type { PassiveReply } from '@shared/officialAccount';
import { escalateFromMessage, ticketStatusSummary } from '../aftersale';
import { issueFromChannel, listUsableCoupons } from '../coupons';
import type { CouponDoc } from '../coupons';

// What the official account does with the other modules: follower commands ("my tickets", "my
// coupons"), complaint escalation, and the follow gift from a store's QR code.

/** Follower commands, compared after trimming, lower-casing and dropping closing punctuation. */
const COMMANDS: Record<string, 'tickets' | 'coupons'> = {
  我的工单: 'tickets',
  工单: 'tickets',
  工单状态: 'tickets',
  查工单: 'tickets',
  'my tickets': 'tickets',
  'my ticket': 'tickets',
  我的优惠券: 'coupons',
  优惠券: 'coupons',
  我的券: 'coupons',
  'my coupons': 'coupons',
  'my coupon': 'coupons',
};

export function commandOf(text: string): 'tickets' | 'coupons' | undefined {
  const normalized = text
    .trim()
    .toLowerCase()
    .replace(/[\s。.!！?？~～]+$/u, '')
    .replace(/\s+/g, ' ');
  return COMMANDS[normalized];
}

export async function myTicketsReply(customerId: Types.ObjectId): Promise<PassiveReply> {
  const summary = await ticketStatusSummary(customerId);
  return { type: 'text', content: summary.text };
}

const yuan = (fen: number) => `¥${(fen / 100).toFixed(fen % 100 === 0 ? 0 : 2)}`;
const shanghaiDay = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** Followers read the default language; the words come from the dictionaries (shared/i18n). */
const say = (key: MessageKey, params?: MessageParams) => translate(DEFAULT_LANGUAGE, key, params);

/** "¥20（满¥100可用）", "8.5折（最高减¥30）", "赠 帆布袋". */
export function couponValueText(
  c: Pick<CouponDoc, 'type' | 'valueFen' | 'thresholdFen' | 'percentOff' | 'maxDiscountFen' | 'giftName'>,
): string {
  const terms = [
    c.thresholdFen ? say('coupon.threshold', { amount: yuan(c.thresholdFen) }) : '',
    c.type === 'discount' && c.maxDiscountFen ? say('coupon.cap', { amount: yuan(c.maxDiscountFen) }) : '',
  ].filter(Boolean);
  const value =
    c.type === 'cash'
      ? yuan(c.valueFen ?? 0)
      : c.type === 'discount'
        ? say('coupon.discount', { value: (100 - (c.percentOff ?? 0)) / 10, percent: c.percentOff ?? 0 })
        : say('bot.coupon.gift', { gift: c.giftName ?? say('coupon.gift') });
  return terms.length ? say('bot.coupon.withTerms', { value, terms: terms.join(say('bot.coupon.termsJoin')) }) : value;
}

const LIST_MAX = 10;

export async function myCouponsReply(customerId: Types.ObjectId, now = new Date()): Promise<PassiveReply> {
  const coupons = await listUsableCoupons(customerId, now);
  if (!coupons.length) {
    return { type: 'text', content: say('bot.coupons.none') };
  }
  const lines = coupons
    .slice(0, LIST_MAX)
    .map((c) => say('bot.coupons.line', { name: c.name, value: couponValueText(c), date: shanghaiDay.format(c.expiresAt) }));
  const more = coupons.length > LIST_MAX ? [say('bot.coupons.more', { count: coupons.length - LIST_MAX })] : [];
  return {
    type: 'text',
    content: [say('bot.coupons.count', { count: coupons.length }), ...lines, ...more, say('bot.coupons.howTo')].join('\n'),
  };
}

/** A complaint strong enough to open or raise a ticket: the reply saying a person is on it. */
export async function escalationReply(
  customerId: Types.ObjectId,
  text: string,
  at: Date,
  notes: Record<string, unknown>,
): Promise<PassiveReply | undefined> {
  const result = await escalateFromMessage(customerId, text, at);
  if (!result.escalated || !result.reply) return undefined;
  notes.escalation = {
    ticketId: result.ticketId,
    created: result.created,
    complaintScore: result.score.complaintScore,
    modelVersion: result.score.modelVersion,
  };
  return { type: 'text', content: result.reply };
}

/** The store of a QR scene `store:<storeId>`, if it is one. */
export function storeOfScene(scene: string | undefined): string | undefined {
  const match = /^store:([0-9a-f]{24})$/i.exec(scene ?? '');
  return match?.[1]?.toLowerCase();
}

/**
 * The follow gift for a follower who came through a store's QR code: at most one per follower per
 * campaign (the key is the same on every follow and scan). Returns the line to add to the reply
 * when this event issued it; a follower who got it on an earlier follow gets nothing new.
 */
export async function followGift(
  customerId: Types.ObjectId,
  storeId: string,
  at: Date,
  notes: Record<string, unknown>,
): Promise<string | undefined> {
  const issued = await issueFromChannel(customerId, 'oa_follow', { idempotencyKey: 'oa-follow-gift', storeId, now: at });
  if (!issued) return undefined;
  // A retried push carries the same CreateTime: it repeats the news; a later follow does not.
  const thisEvent = issued.created || issued.coupon.claimedAt.getTime() === at.getTime();
  notes.followGift = { couponId: String(issued.coupon._id), campaignId: String(issued.coupon.campaignId), created: issued.created };
  if (!thisEvent) return undefined;
  const c = issued.coupon;
  return say('bot.followGift', { name: c.name, value: couponValueText(c), date: shanghaiDay.format(c.expiresAt) });
}
