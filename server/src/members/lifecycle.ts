import type { Types } from 'mongoose';
import { EXPIRY_REMINDER_DAYS, tierFor } from '@shared/tiers';
import { appendTimeline, openidOf } from '../customers';
import type { Logger } from '../platform/logger';
import type { WechatPlatform } from '../wechat/platform';
import { LedgerEntry, Member, type LedgerDoc } from './model';
import { allLedgerEntries, earnedInWindow, postCappedDebit } from './points';

/**
 * What each credit lot still holds, consuming credits oldest first (FIFO): debits take from the
 * oldest live lot, and a lot that reaches its expiresAt stops being spendable. Expire entries are the
 * result of this computation, so they are left out of it. Returns, per lot id, what it held when it
 * expired (for lots expired by `until`) or holds now (for live lots).
 */
export function lotBalances(entries: LedgerDoc[], until: Date): Map<string, number> {
  const lots: Array<{ id: string; remaining: number; expiresAt: Date }> = [];
  const held = new Map<string, number>();
  const expireUpTo = (t: Date) => {
    for (const lot of lots) {
      if (!held.has(lot.id) && lot.expiresAt.getTime() <= t.getTime()) held.set(lot.id, lot.remaining);
    }
  };
  for (const entry of entries) {
    if (entry.at.getTime() > until.getTime()) break;
    expireUpTo(entry.at);
    if (entry.type === 'expire') continue;
    if (entry.points > 0 && entry.expiresAt) {
      lots.push({ id: entry._id.toString(), remaining: entry.points, expiresAt: entry.expiresAt });
      continue;
    }
    let debit = -entry.points;
    for (const lot of lots) {
      if (debit <= 0) break;
      if (held.has(lot.id)) continue; // expired
      const take = Math.min(lot.remaining, debit);
      lot.remaining -= take;
      debit -= take;
    }
  }
  expireUpTo(until);
  for (const lot of lots) if (!held.has(lot.id)) held.set(lot.id, lot.remaining);
  return held;
}

/** Expires the points of every lot past its date, oldest first, once per lot (idempotent). */
export async function expirePoints(now: Date): Promise<{ customers: number; expired: number }> {
  const due = await LedgerEntry.find({ expiryHandled: false, expiresAt: { $lte: now } }, { customerId: 1 })
    .limit(1000)
    .lean();
  const customerIds = [...new Map(due.map((d) => [d.customerId.toString(), d.customerId])).values()];
  let expired = 0;
  for (const customerId of customerIds) expired += await expireForCustomer(customerId, now);
  return { customers: customerIds.length, expired };
}

async function expireForCustomer(customerId: Types.ObjectId, now: Date): Promise<number> {
  const entries = await allLedgerEntries(customerId);
  const held = lotBalances(entries, now);
  let total = 0;
  for (const lot of entries) {
    if (!lot.expiresAt || lot.expiryHandled || lot.expiresAt.getTime() > now.getTime()) continue;
    const amount = held.get(lot._id.toString()) ?? 0;
    if (amount > 0) {
      const { entry, created } = await postCappedDebit(customerId, amount, {
        type: 'expire',
        reason: 'Points expired 12 months after earning',
        refKey: `expire:${lot._id}`,
        at: now,
      });
      if (created && entry.points < 0) {
        total -= entry.points;
        await appendTimeline(customerId, {
          type: 'points.expired',
          channel: 'system',
          summary: `${entry.points} points expired`,
          data: { points: entry.points, lotId: lot._id.toString() },
          at: now,
        });
      }
    }
    await LedgerEntry.updateOne({ _id: lot._id }, { $set: { expiryHandled: true } });
  }
  return total;
}

/**
 * Reminds members a week before points expire: a timeline entry and an attempt at a mini-program
 * subscribe message (which may fail when the member has not subscribed: the timeline still tells).
 */
export async function remindExpiringPoints(
  now: Date,
  options: { wechat?: WechatPlatform | undefined; templateId?: string; log?: Logger | undefined } = {},
): Promise<number> {
  const horizon = new Date(now.getTime() + EXPIRY_REMINDER_DAYS * 86_400_000);
  const due = await LedgerEntry.find(
    { reminderSent: false, expiryHandled: false, expiresAt: { $gt: now, $lte: horizon } },
    { customerId: 1 },
  )
    .limit(1000)
    .lean();
  const customerIds = [...new Map(due.map((d) => [d.customerId.toString(), d.customerId])).values()];
  let reminded = 0;
  for (const customerId of customerIds) {
    const entries = await allLedgerEntries(customerId);
    const held = lotBalances(entries, now);
    let expiring = 0;
    let firstExpiry: Date | undefined;
    for (const lot of entries) {
      if (!lot.expiresAt || lot.reminderSent || lot.expiresAt <= now || lot.expiresAt > horizon) continue;
      // Claim the lot's reminder first, so two passes never remind of the same lot twice.
      const claimed = await LedgerEntry.findOneAndUpdate({ _id: lot._id, reminderSent: false }, { $set: { reminderSent: true } });
      if (!claimed) continue;
      expiring += held.get(lot._id.toString()) ?? 0;
      if (!firstExpiry || lot.expiresAt < firstExpiry) firstExpiry = lot.expiresAt;
    }
    if (expiring <= 0 || !firstExpiry) continue;
    reminded++;
    const day = firstExpiry.toISOString().slice(0, 10);
    await appendTimeline(customerId, {
      type: 'points.expiry_reminder',
      channel: 'system',
      summary: `${expiring} points expire on ${day}`,
      data: { points: expiring, expiresAt: firstExpiry.toISOString() },
      at: now,
    });
    const openid = await openidOf(customerId, 'mini_program');
    if (options.wechat && openid) {
      await options.wechat.miniProgram
        .sendSubscribeMessage({
          touser: openid,
          template_id: options.templateId ?? 'points_expiry',
          page: 'pages/member/points/index',
          data: { number1: { value: String(expiring) }, date2: { value: day } },
        })
        .catch((err) => options.log?.info({ err: (err as Error).message }, 'points expiry reminder not delivered'));
    }
  }
  return reminded;
}

/** Lowers the tier of members whose earned points over the window no longer hold it. */
export async function checkTiers(now: Date): Promise<number> {
  let lowered = 0;
  const cursor = Member.find({ tierRank: { $gt: 0 }, closedAt: { $exists: false } }, { customerId: 1, tier: 1, tierRank: 1 })
    .lean()
    .cursor();
  for await (const member of cursor) {
    const target = tierFor(await earnedInWindow(member.customerId, now));
    if (target.rank >= member.tierRank) continue;
    // Guarded on the rank read: an upgrade that raced in meanwhile wins.
    const changed = await Member.findOneAndUpdate(
      { _id: member._id, tierRank: member.tierRank },
      { $set: { tier: target.id, tierRank: target.rank } },
    );
    if (!changed) continue;
    lowered++;
    await appendTimeline(member.customerId, {
      type: 'member.tier_changed',
      channel: 'system',
      summary: `Moved to ${target.name}`,
      data: { from: member.tier, to: target.id, direction: 'down' },
      at: now,
    });
  }
  return lowered;
}

/** Points of the customer's lots that expire in (now, before], still held, and the first such date. */
export async function pointsExpiringBefore(
  customerId: Types.ObjectId,
  before: Date,
  now = new Date(),
): Promise<{ points: number; first?: Date }> {
  const entries = await allLedgerEntries(customerId);
  const held = lotBalances(entries, now);
  let points = 0;
  let first: Date | undefined;
  for (const lot of entries) {
    if (!lot.expiresAt || lot.expiryHandled || lot.expiresAt <= now || lot.expiresAt > before) continue;
    const amount = held.get(lot._id.toString()) ?? 0;
    if (amount <= 0) continue;
    points += amount;
    if (!first || lot.expiresAt < first) first = lot.expiresAt;
  }
  return first ? { points, first } : { points };
}
