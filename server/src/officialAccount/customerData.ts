import { openidOf } from '../customers';
import type { CustomerDataPart } from '../platform/customerData';
import { Delivery } from './model';
import { ProfileSyncRequest } from './profileSync';

/** Deliveries of the follower's pushes (with the bot's stored answer) and a pending profile sync. */
export const officialAccountData: CustomerDataPart = {
  module: 'officialAccount',
  collections: ['oa_deliveries', 'oa_profile_sync_queue'],

  async erase(customerId) {
    await Delivery.deleteMany({ customerId });
    // Keyed by openid: found while the customer's identities are still there (customers erase last).
    const openid = await openidOf(customerId, 'official_account');
    if (openid) await ProfileSyncRequest.deleteOne({ _id: openid });
  },

  async merge(from, into) {
    await Delivery.updateMany({ customerId: from }, { $set: { customerId: into } });
  },

  async export(customerId) {
    const deliveries = await Delivery.find({ customerId }, { reply: 0 }).sort({ createdAt: 1 }).lean();
    return { officialAccountDeliveries: deliveries.map((d) => ({ state: d.state, at: d.createdAt.toISOString() })) };
  },
};
