import type { CustomerDataPart } from '../platform/customerData';
import { MarketingPreference, MarketingSlot, OutreachChunk, OutreachDelivery } from './model';

/** Outreach results, marketing preferences and frequency places of a customer; audience chunks name them too. */
export const outreachData: CustomerDataPart = {
  module: 'outreach',
  collections: ['outreach_deliveries', 'marketing_preferences', 'marketing_slots', 'outreach_chunks'],

  async erase(customerId) {
    await OutreachDelivery.deleteMany({ customerId });
    await MarketingSlot.deleteMany({ customerId });
    await MarketingPreference.deleteOne({ _id: customerId });
    await OutreachChunk.updateMany({ customerIds: String(customerId) }, { $pull: { customerIds: String(customerId) } });
  },

  async merge(from, into, at) {
    await OutreachDelivery.updateMany({ customerId: from }, { $set: { customerId: into } }).catch(() => undefined);
    await MarketingSlot.updateMany({ customerId: from }, { $set: { customerId: into } });
    // Having said 退订 on either record keeps the person opted out.
    const said = await MarketingPreference.findById(from).lean();
    if (said?.optedOut) await MarketingPreference.updateOne({ _id: into }, { $set: { optedOut: true, at } }, { upsert: true });
    await MarketingPreference.deleteOne({ _id: from });
  },

  async export(customerId) {
    const [deliveries, preference] = await Promise.all([
      OutreachDelivery.find({ customerId }).sort({ at: 1 }).lean(),
      MarketingPreference.findById(customerId).lean(),
    ]);
    return {
      marketing: {
        optedOut: preference?.optedOut ?? false,
        messages: deliveries.map((d) => ({
          outreachId: String(d.outreachId),
          status: d.status,
          channel: d.channel ?? null,
          reason: d.reason ?? null,
          at: d.at.toISOString(),
        })),
      },
    };
  },
};
