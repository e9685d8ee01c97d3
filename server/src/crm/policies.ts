// Who may see and change what in the CRM, declared once for routes and services alike.
import type { Types } from 'mongoose';
import { getCustomer, isCustomerOfStore } from '../customers';
import { isAdmin, type Actor } from '../staff';

export const crmPolicy = {
  /** Tags, segments and the advocates ranking are the brand's: the admin's. */
  manage: (actor: Actor) => isAdmin(actor),
  /**
   * A customer's record: the admin sees everyone; a store's clerk or manager, acting for that store,
   * sees those who have a touch with it (a visit, a redemption, a ticket, a follow from its QR code).
   */
  async seeCustomer(actor: Actor, storeId: Types.ObjectId | undefined, customerId: Types.ObjectId): Promise<boolean> {
    if (isAdmin(actor)) return true;
    if (storeId === undefined) return false;
    if (await isCustomerOfStore(customerId, storeId)) return true;
    // A follow from the store's QR code is a touch too (the follow itself carries no store on the timeline).
    const customer = await getCustomer(customerId);
    return customer?.officialAccount?.followChannel === `store:${storeId.toString()}`;
  },
};
