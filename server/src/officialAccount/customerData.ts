import { openidOf } from '../customers';
import type { CustomerDataPart } from '../platform/customerData';
import { Delivery, DeliveryAnswer } from './model';
import { ProfileSyncRequest } from './profileSync';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Deliveries of the follower's pushes (keyed by openid), the bot's stored answers, and a pending profile sync. */
export const officialAccountData: CustomerDataPart = {
  module: 'officialAccount',
  collections: ['oa_deliveries', 'oa_delivery_answers', 'oa_profile_sync_queue'],

  async erase(customerId) {
    await DeliveryAnswer.deleteMany({ customerId });
    // Keyed by openid: found while the customer's identities are still there (customers erase last).
    const openid = await openidOf(customerId, 'official_account');
    if (openid) {
      // Delivery keys are `msg:<openid>:<MsgId>` or `evt:<openid>:<CreateTime>:<event>`.
      const ofFollower = { _id: { $regex: `^(msg|evt):${escapeRegex(openid)}:` } };
      await DeliveryAnswer.deleteMany(ofFollower);
      await Delivery.deleteMany(ofFollower);
      await ProfileSyncRequest.deleteOne({ _id: openid });
    }
  },

  async merge(from, into) {
    await DeliveryAnswer.updateMany({ customerId: from }, { $set: { customerId: into } });
  },

  async export(customerId) {
    const answers = await DeliveryAnswer.find({ customerId }, { reply: 0 }).sort({ createdAt: 1 }).lean();
    return { officialAccountDeliveries: answers.map((d) => ({ state: d.state, at: d.createdAt.toISOString() })) };
  },
};
