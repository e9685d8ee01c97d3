import type { Types } from 'mongoose';
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

/** "¥20（满¥100可用）", "8.5折", "赠 帆布袋". */
export function couponValueText(c: Pick<CouponDoc, 'type' | 'valueFen' | 'thresholdFen' | 'percentOff' | 'maxDiscountFen' | 'giftName'>): string {
  const threshold = c.thresholdFen ? `满${yuan(c.thresholdFen)}可用` : '';
  if (c.type === 'cash') return `${yuan(c.valueFen ?? 0)}${threshold ? `（${threshold}）` : ''}`;
  if (c.type === 'discount') {
    const zhe = (100 - (c.percentOff ?? 0)) / 10;
    const cap = c.maxDiscountFen ? `最多减${yuan(c.maxDiscountFen)}` : '';
    const extra = [threshold, cap].filter(Boolean).join('，');
    return `${zhe}折${extra ? `（${extra}）` : ''}`;
  }
  return `赠 ${c.giftName ?? '礼品'}${threshold ? `（${threshold}）` : ''}`;
}

const LIST_MAX = 10;

export async function myCouponsReply(customerId: Types.ObjectId, now = new Date()): Promise<PassiveReply> {
  const coupons = await listUsableCoupons(customerId, now);
  if (!coupons.length) {
    return { type: 'text', content: '您目前没有可用的优惠券。打开小程序「领券中心」看看有哪些券可以领。' };
  }
  const lines = coupons
    .slice(0, LIST_MAX)
    .map((c) => `· ${c.name}：${couponValueText(c)}，${shanghaiDay.format(c.expiresAt)} 到期`);
  const more = coupons.length > LIST_MAX ? [`……还有 ${coupons.length - LIST_MAX} 张，在小程序「我的优惠券」查看全部。`] : [];
  return {
    type: 'text',
    content: [`您有 ${coupons.length} 张可用的优惠券：`, ...lines, ...more, '到店出示小程序里的券码即可使用。'].join('\n'),
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
  notes.escalation = { ticketId: result.ticketId, created: result.created, complaintScore: result.score.complaintScore };
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
  return `送您一张关注礼券「${c.name}」：${couponValueText(c)}，${shanghaiDay.format(c.expiresAt)} 前到店出示券码即可使用。回复「我的优惠券」随时查看。`;
}
