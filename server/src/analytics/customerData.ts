import type { CustomerDataPart } from '../platform/customerData';
import { AcquisitionRecord } from './model';
import { forgetRollupStates } from './rollupState';

/**
 * A follower's acquisition channel (their first official-account touch), and the rollup passes'
 * saved states (one row per person). The daily rollups hold counts only, no person: they stay.
 */
export const analyticsData: CustomerDataPart = {
  module: 'analytics',
  collections: ['analytics_acquisitions', 'analytics_rollup_state_chunks'],
  async erase(customerId) {
    await AcquisitionRecord.deleteMany({ customerId });
    await forgetRollupStates();
  },
  // The surviving record keeps its own first touch; the joined record's is dropped.
  async merge(from) {
    await AcquisitionRecord.deleteMany({ customerId: from });
    await forgetRollupStates();
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
