// What each timeline entry counts for, in one place: the rollup job, the live part of the dashboard
// and the tests all read entries through these functions. Pure: no database.
import type { AcquisitionChannel } from '@shared/api/analytics';

/** The fields of a timeline entry that reports read. */
export interface FactEntry {
  _id?: unknown;
  customerId: { toString(): string };
  at: Date;
  type: string;
  storeId?: { toString(): string } | null | undefined;
  data?: Record<string, unknown> | null | undefined;
}

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** Days since 1970-01-01 in Asia/Shanghai. */
export const dayIndex = (at: Date | number): number => Math.floor((+at + SHANGHAI_OFFSET_MS) / DAY_MS);
export const dayOfIndex = (index: number): string => new Date(index * DAY_MS).toISOString().slice(0, 10);
export const indexOfDay = (day: string): number => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
/** The instant a Shanghai day starts. */
export const startOfDayIndex = (index: number): Date => new Date(index * DAY_MS - SHANGHAI_OFFSET_MS);
export const monthOfIndex = (index: number): string => dayOfIndex(index).slice(0, 7);

/** A counter's key: metric, store ('-' for none) and one dimension ('-' for none). */
export const counterKey = (metric: string, store: string, dim: string) => `${metric}|${store}|${dim}`;
export function splitKey(key: string): { metric: string; store: string; dim: string } {
  const [metric = '', store = '-', ...rest] = key.split('|');
  return { metric, store, dim: rest.join('|') || '-' };
}

export type Counters = Map<string, number>;

export function addTo(counters: Counters, metric: string, store: string, dim: string, value = 1): void {
  if (!value) return;
  const key = counterKey(metric, store, dim);
  counters.set(key, (counters.get(key) ?? 0) + value);
}

/** A person doing something (not a message we sent, a reminder or staff bookkeeping): what "active" counts. */
const PERSON_TOUCHES = new Set([
  'oa.message',
  'member.joined',
  'member.identified',
  'coupon.claimed',
  'coupon.gift_offered',
  'coupon.gift_sent',
  'coupon.gift_received',
  'coupon.redeemed',
  'ticket.created',
  'ticket.message',
  'ticket.rated',
  'points.exchanged',
]);

export function isPersonTouch(entry: FactEntry): boolean {
  if (entry.type === 'oa.event') return (entry.data as { type?: string } | undefined)?.type !== 'unsubscribe';
  return PERSON_TOUCHES.has(entry.type);
}

export interface Acquisition {
  channel: AcquisitionChannel;
  /** The store whose QR code it was ('-' for none). */
  store: string;
}

const storeOfScene = (scene: unknown): string | undefined => {
  const match = /^store:([0-9a-f]{24})$/i.exec(typeof scene === 'string' ? scene : '');
  return match?.[1]?.toLowerCase();
};

/** The channel of a follow, from its QR scene. */
export function followChannel(scene: unknown): Acquisition {
  const store = storeOfScene(scene);
  if (store) return { channel: 'store_qr', store };
  return { channel: typeof scene === 'string' && scene ? 'qr' : 'search', store: '-' };
}

/** The acquisition channel an official-account entry would give as a follower's first touch, if any. */
export function touchChannel(entry: FactEntry): Acquisition | undefined {
  const data = (entry.data ?? {}) as { type?: string; scene?: unknown; keywordRule?: unknown };
  if (entry.type === 'oa.message') return { channel: data.keywordRule ? 'keyword' : 'message', store: '-' };
  if (entry.type !== 'oa.event') return undefined;
  if (data.type === 'subscribe' || data.type === 'SCAN') return followChannel(data.scene);
  if (data.type === 'CLICK') return { channel: 'menu', store: '-' };
  return undefined;
}

/** Earlier entries first; entries at the same instant by id, so that "first" is the same on every run. */
export function isBefore(a: { at: Date; id: string }, b: { at: Date; id: string }): boolean {
  return a.at < b.at || (+a.at === +b.at && a.id < b.id);
}

interface PendingRedemption {
  redemptionId: string;
  store: string;
  key: string;
  orderAmountFen: number | undefined;
  discountFen: number;
}

export interface FinishContext {
  /** Redemptions voided (at any time the caller has seen). */
  voided: ReadonlySet<string>;
  /** A customer's acquisition, for unfollows. */
  acquisitionOf(customerId: string): Acquisition | undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown, fallback = 'unknown'): string => (typeof v === 'string' && v ? v : fallback);

/** The daily counters of one day's entries. Feed every entry of the day, then finish. */
export class DayCounters {
  readonly counters: Counters = new Map();
  private readonly redemptions: PendingRedemption[] = [];
  private readonly unfollowers: string[] = [];

  add(entry: FactEntry): void {
    const c = this.counters;
    const data = (entry.data ?? {}) as Record<string, unknown>;
    const store = entry.storeId ? entry.storeId.toString() : '-';
    switch (entry.type) {
      case 'oa.message':
        addTo(c, 'oa.in', '-', '-');
        break;
      case 'oa.reply':
        addTo(c, 'oa.out', '-', 'bot');
        addTo(c, data.via === 'passive' ? 'oa.passive' : 'oa.late', '-', '-');
        break;
      case 'ticket.reply_delivery':
        if (data.channel === 'official_account' && data.status === 'sent') addTo(c, 'oa.out', '-', 'staff');
        break;
      case 'oa.event':
        if (data.type === 'subscribe') {
          const follow = followChannel(data.scene);
          addTo(c, 'oa.follow', follow.store, follow.channel);
        } else if (data.type === 'unsubscribe') {
          this.unfollowers.push(entry.customerId.toString());
        }
        break;
      case 'member.joined':
        addTo(c, 'members.join', '-', '-');
        break;
      case 'coupon.claimed':
        addTo(c, 'coupons.claimed', '-', `${str(data.campaignId)}|${str(data.claimChannel)}`);
        break;
      case 'coupon.gift_sent':
        addTo(c, 'coupons.gifted', '-', `${str(data.campaignId)}|${str(data.claimChannel)}`);
        break;
      case 'coupon.redeemed':
        this.redemptions.push({
          redemptionId: str(data.redemptionId, ''),
          store,
          key: `${str(data.campaignId)}|${str(data.claimChannel)}`,
          orderAmountFen: num(data.orderAmountFen),
          discountFen: num(data.discountFen) ?? 0,
        });
        break;
      case 'ticket.created':
        addTo(c, 'tickets.opened', store, str(data.type));
        if (data.source === 'official_account' && data.type === 'complaint') addTo(c, 'complaints.oa', store, '-');
        break;
      case 'ticket.escalated':
        addTo(c, 'complaints.escalated', store, '-');
        break;
      case 'ticket.rated': {
        const stars = num(data.stars);
        if (stars !== undefined) addTo(c, 'csat', store, String(stars));
        break;
      }
      default:
        break;
    }
    const first = data.firstResponse as { ms?: unknown; breached?: unknown } | undefined;
    if (first && num(first.ms) !== undefined) {
      addTo(c, 'tickets.fr', store, '-');
      addTo(c, 'tickets.fr.ms', store, '-', num(first.ms));
      if (first.breached) addTo(c, 'tickets.fr.breached', store, '-');
      if (data.source === 'official_account' && data.ticketType === 'complaint') {
        addTo(c, 'complaints.human', store, '-');
        addTo(c, 'complaints.human.ms', store, '-', num(first.ms));
      }
    }
    const resolution = data.resolution as { ms?: unknown; breached?: unknown } | undefined;
    if (entry.type === 'ticket.resolve' && resolution && num(resolution.ms) !== undefined) {
      addTo(c, 'tickets.res', store, '-');
      addTo(c, 'tickets.res.ms', store, '-', num(resolution.ms));
      if (resolution.breached) addTo(c, 'tickets.res.breached', store, '-');
    }
  }

  /** Adds what needed more than the day's entries (voids seen later, unfollowers' first touch). */
  finish(context: FinishContext): Counters {
    const c = this.counters;
    for (const r of this.redemptions) {
      if (context.voided.has(r.redemptionId)) continue;
      addTo(c, 'coupons.redeemed', r.store, r.key);
      addTo(c, 'coupons.cost', r.store, r.key, r.discountFen);
      if (r.orderAmountFen !== undefined) {
        addTo(c, 'coupons.withAmount', r.store, r.key);
        addTo(c, 'coupons.sales', r.store, r.key, r.orderAmountFen);
      }
    }
    for (const customerId of this.unfollowers) {
      const acquisition = context.acquisitionOf(customerId);
      addTo(c, 'oa.unfollow', acquisition?.store ?? '-', acquisition?.channel ?? 'unknown');
    }
    return c;
  }
}

/** The redemptions that void entries among these take back. */
export function voidsIn(entries: Iterable<FactEntry>): Set<string> {
  const voided = new Set<string>();
  for (const entry of entries) {
    const v = voidedRedemption(entry);
    if (v) voided.add(v);
  }
  return voided;
}

/** The redemption a void entry takes back, if it is one. */
export function voidedRedemption(entry: FactEntry): string | undefined {
  if (entry.type !== 'coupon.redemption_voided') return undefined;
  const id = (entry.data as { redemptionId?: unknown } | undefined)?.redemptionId;
  return typeof id === 'string' ? id : undefined;
}
