import type { CustomerDataPart } from '../platform/customerData';
import { Session } from './model';
import { forgetSessionReadsOf } from './service';

/** Signed-in sessions (only token hashes are stored). */
export const authData: CustomerDataPart = {
  module: 'auth',
  collections: ['sessions'],

  async erase(customerId) {
    await Session.deleteMany({ customerId });
    forgetSessionReadsOf(customerId);
  },

  // The person stays signed in, as the surviving record.
  async merge(from, into) {
    await Session.updateMany({ customerId: from }, { $set: { customerId: into } });
    forgetSessionReadsOf(from);
  },

  async export(customerId) {
    const sessions = await Session.find({ customerId }, { _id: 0 }).sort({ createdAt: 1 }).lean();
    return { sessions: sessions.map((s) => ({ createdAt: s.createdAt.toISOString(), expiresAt: s.expiresAt.toISOString() })) };
  },
};
