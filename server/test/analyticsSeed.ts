// Synthetic timeline entries shaped exactly as the modules write them (official account, members,
// coupons, after-sale), for the analytics tests and the dashboard benchmark. Deterministic for a seed.
import { Types } from 'mongoose';

export interface SeedOptions {
  customers: number;
  /** Days of history, ending at `now`. */
  days: number;
  now: Date;
  stores: string[];
  campaigns: string[];
  seed?: number;
  /** Rough number of entries per customer (default 12). */
  perCustomer?: number;
}

export interface SeedEntry {
  _id: Types.ObjectId;
  customerId: Types.ObjectId;
  at: Date;
  day: string;
  hour: string;
  type: string;
  channel: string;
  summary: string;
  data: Record<string, unknown>;
  storeId?: Types.ObjectId;
}

const DAY = 86_400_000;
export const shanghaiDayOf = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
const shanghaiHourOf = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 13);

function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) % 1_000_000) / 1_000_000;
  };
}

/** Calls `emit` with batches of entries, customer by customer (so a benchmark can stream them). */
export function generateTimeline(options: SeedOptions, emit: (batch: SeedEntry[]) => void, batchSize = 10_000): void {
  const rand = prng(options.seed ?? 7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const start = options.now.getTime() - options.days * DAY;
  const span = options.now.getTime() - start;
  const perCustomer = options.perCustomer ?? 12;
  let batch: SeedEntry[] = [];
  const push = (
    customerId: Types.ObjectId,
    atMs: number,
    type: string,
    channel: string,
    data: Record<string, unknown>,
    storeId?: string,
  ) => {
    const at = new Date(Math.min(atMs, options.now.getTime() - 1));
    batch.push({
      _id: new Types.ObjectId(),
      customerId,
      at,
      day: shanghaiDayOf(at),
      hour: shanghaiHourOf(at),
      type,
      channel,
      summary: type,
      data,
      ...(storeId ? { storeId: new Types.ObjectId(storeId) } : {}),
    });
    if (batch.length >= batchSize) {
      emit(batch);
      batch = [];
    }
  };

  for (let c = 0; c < options.customers; c++) {
    const customerId = new Types.ObjectId();
    const firstAt = start + Math.floor(rand() * span * 0.9);
    const later = () => firstAt + Math.floor(rand() * (options.now.getTime() - firstAt));
    // First touch: mostly a follow (store QR, a poster QR or search), sometimes a keyword or a menu click.
    const first = rand();
    if (first < 0.75) {
      const r = rand();
      const scene = r < 0.45 ? `store:${pick(options.stores)}` : r < 0.65 ? 'poster-spring' : undefined;
      push(customerId, firstAt, 'oa.event', 'official_account', {
        type: 'subscribe',
        msgType: 'event',
        event: 'subscribe',
        ...(scene ? { scene } : {}),
      });
      push(customerId, firstAt + 300, 'oa.reply', 'official_account', { reply: { type: 'text' }, via: 'passive' });
    } else if (first < 0.88) {
      push(customerId, firstAt, 'oa.message', 'official_account', { type: 'text', content: '会员', keywordRule: 'membership' });
      push(customerId, firstAt + 400, 'oa.reply', 'official_account', { reply: { type: 'text' }, via: 'passive' });
    } else {
      push(customerId, firstAt, 'oa.event', 'official_account', { type: 'CLICK', eventKey: 'MY_COUPONS' });
      push(customerId, firstAt + 400, 'oa.reply', 'official_account', { reply: { type: 'text' }, via: 'passive' });
    }
    let budget = Math.max(2, Math.round(perCustomer * (0.4 + rand() * 1.2)) - 2);
    const joined = rand() < 0.6;
    if (joined) {
      const at = later();
      push(customerId, at, 'member.joined', 'mini_program', { termsVersion: '2026-01' });
      budget--;
      if (rand() < 0.25)
        push(customerId, at + Math.floor(rand() * (options.now.getTime() - at)), 'member.tier_changed', 'system', {
          from: 'regular',
          to: pick(['silver', 'gold']),
        });
    }
    while (budget > 0) {
      const at = later();
      const r = rand();
      if (r < 0.4) {
        push(customerId, at, 'oa.message', 'official_account', {
          type: 'text',
          content: '你好',
          ...(rand() < 0.3 ? { keywordRule: 'hours' } : {}),
        });
        push(customerId, at + 500, 'oa.reply', 'official_account', {
          reply: { type: 'text' },
          via: rand() < 0.9 ? 'passive' : 'customer_service',
        });
        budget -= 2;
      } else if (r < 0.65) {
        const campaignId = pick(options.campaigns);
        const claimChannel = pick(['mini_program', 'oa_follow', 'oa_keyword']);
        push(customerId, at, 'coupon.claimed', 'mini_program', { couponId: new Types.ObjectId().toString(), campaignId, claimChannel });
        budget--;
        if (rand() < 0.15) {
          push(customerId, at + 60_000, 'coupon.gift_sent', 'mini_program', { campaignId, claimChannel, couponId: 'x', giftId: 'g' });
          budget--;
        } else if (rand() < 0.55) {
          const redeemAt = at + Math.floor(rand() * 3 * DAY);
          const redemptionId = new Types.ObjectId().toString();
          const storeId = pick(options.stores);
          const orderAmountFen = rand() < 0.8 ? 2_000 + Math.floor(rand() * 30_000) : undefined;
          push(
            customerId,
            redeemAt,
            'coupon.redeemed',
            'store',
            { couponId: 'x', campaignId, claimChannel, redemptionId, orderAmountFen, discountFen: 500 + Math.floor(rand() * 2_000) },
            storeId,
          );
          budget--;
          if (rand() < 0.06) {
            push(customerId, redeemAt + 120_000, 'coupon.redemption_voided', 'store', { couponId: 'x', redemptionId }, storeId);
            budget--;
          }
        }
      } else if (r < 0.75) {
        const storeId = pick(options.stores);
        const fromOa = rand() < 0.3;
        const type = fromOa ? 'complaint' : pick(['repair', 'return_refund', 'exchange', 'inquiry', 'complaint']);
        const source = fromOa ? 'official_account' : 'mini_program';
        const ticketId = new Types.ObjectId().toString();
        push(
          customerId,
          at,
          'ticket.created',
          fromOa ? 'official_account' : 'mini_program',
          { ticketId, type, priority: 'normal', source },
          storeId,
        );
        const frMs = Math.floor(rand() * 30 * 3_600_000);
        push(
          customerId,
          at + frMs,
          'ticket.reply',
          'store',
          { ticketId, messageId: 'm', firstResponse: { ms: frMs, breached: frMs > 24 * 3_600_000 }, ticketType: type, source },
          storeId,
        );
        if (rand() < 0.5)
          push(
            customerId,
            at + frMs + 1000,
            'ticket.reply_delivery',
            'official_account',
            { ticketId, channel: 'official_account', status: 'sent' },
            storeId,
          );
        if (fromOa && rand() < 0.3) push(customerId, at + 600_000, 'ticket.escalated', 'official_account', { ticketId, cues: [] }, storeId);
        if (rand() < 0.7) {
          const resMs = frMs + Math.floor(rand() * 80 * 3_600_000);
          push(
            customerId,
            at + resMs,
            'ticket.resolve',
            'store',
            {
              ticketId,
              action: 'resolve',
              from: 'in_progress',
              to: 'resolved',
              resolution: { ms: resMs, breached: resMs > 72 * 3_600_000 },
              ticketType: type,
              source,
            },
            storeId,
          );
          if (rand() < 0.6)
            push(
              customerId,
              at + resMs + 3_600_000,
              'ticket.rated',
              'mini_program',
              { ticketId, stars: 1 + Math.floor(rand() * 5) },
              storeId,
            );
        }
        budget -= 3;
      } else if (r < 0.8) {
        push(customerId, at, 'oa.event', 'official_account', { type: 'unsubscribe', msgType: 'event', event: 'unsubscribe' });
        budget--;
      } else if (r < 0.9) {
        push(customerId, at, 'coupon.expiry_reminder', 'system', {});
        budget--;
      } else {
        push(customerId, at, 'oa.event', 'official_account', { type: 'CLICK', eventKey: 'MY_TICKETS' });
        push(customerId, at + 300, 'oa.reply', 'official_account', { reply: { type: 'text' }, via: 'passive' });
        budget -= 2;
      }
    }
  }
  if (batch.length) emit(batch);
}
