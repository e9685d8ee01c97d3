import type { Types } from 'mongoose';
import type { ClaimChannel } from '@shared/coupons';
import type { CouponDoc } from './model';

// Where the engagement review looks at claims and gifts. The coupons module does not know who
// listens: the composition root plugs the engagement module in. The raw client address is passed
// in memory only; the listener stores it hashed.

/** Who is on the other end of a request: its client address and the device id the mini-program sent. */
export interface ClientSeen {
  ip?: string | undefined;
  device?: string | undefined;
}

export interface ClaimSeen {
  campaignId: Types.ObjectId;
  customerId: Types.ObjectId;
  channel: ClaimChannel;
  storeIds: Types.ObjectId[];
  client: ClientSeen;
  at: Date;
}

export interface GiftSeen {
  giftId: Types.ObjectId;
  couponId: Types.ObjectId;
  campaignId: Types.ObjectId;
  giverId: Types.ObjectId;
  friendId: Types.ObjectId;
  client: ClientSeen;
  at: Date;
}

export interface EngagementHooks {
  /** Asked before a claim takes its place, only when its campaign holds suspicious claims: hold it? */
  screenClaim(claim: ClaimSeen): Promise<{ hold: boolean }>;
  /** After a claim's coupon exists (issued, or `held` for review). A held claim's record must not be lost: errors fail the claim. */
  claimed(claim: ClaimSeen, coupon: CouponDoc): Promise<void>;
  /** After a friend accepted a gift. */
  giftAccepted(gift: GiftSeen): Promise<void>;
}

let hooks: EngagementHooks | undefined;

/** Plugs the engagement review in (the composition root does, once). */
export function setEngagementHooks(next: EngagementHooks | undefined): void {
  hooks = next;
}

export const engagementHooks = (): EngagementHooks | undefined => hooks;
