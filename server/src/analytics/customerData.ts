import type { CustomerDataPart } from '../platform/customerData';
import { AcquisitionRecord } from './model';

/**
 * A follower's acquisition channel (their first official-account touch). The daily rollups hold
 * counts only, no person: they stay.
 */
export const analyticsData: CustomerDataPart = {
  module: 'analytics',
  collections: ['analytics_acquisitions'],
  async erase(customerId) {
    await AcquisitionRecord.deleteMany({ customerId });
  },
  // The surviving record keeps its own first touch; the joined record's is dropped.
  async merge(from) {
    await AcquisitionRecord.deleteMany({ customerId: from });
  },
  async export(customerId) {
    const record = await AcquisitionRecord.findOne({ customerId }).lean();
    return {
      acquisition: record
        ? { channel: record.channel, store: record.store === '-' ? null : record.store, at: record.at.toISOString() }
        : null,
    };
  },
};
