// Who may do what with coupons and redemptions, declared once for routes and services.
import type { Types } from 'mongoose';
import { managedStores, type Actor } from '../staff';
import type { CouponDoc, RedemptionDoc } from './model';

export const couponPolicy = {
  /** A coupon is seen, shown as a QR code, gifted or taken back only by the customer holding it. */
  holds: (customerId: Types.ObjectId, coupon: Pick<CouponDoc, 'customerId'>) => coupon.customerId.equals(customerId),
  /** The stores whose redemptions the actor may void: undefined (all) for an admin, managed ones for a manager. */
  voidableStores: (actor: Actor) => managedStores(actor),
  /** Whether a redemption falls within those stores. */
  mayVoid: (stores: Types.ObjectId[] | undefined, redemption: Pick<RedemptionDoc, 'storeId'>) =>
    stores === undefined || stores.some((s) => s.equals(redemption.storeId)),
};
