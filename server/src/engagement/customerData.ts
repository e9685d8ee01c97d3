import type { CustomerDataPart } from '../platform/customerData';
import { EngagementEvent, EngagementFlag, EngagementMark, QuietCheck } from './model';

/**
 * The review's records about a customer. Erased with them: the review is about activity, and an
 * erased person's activity is gone. A merge moves them to the surviving record. The person may read
 * that their claims were scored, never the hashes (they name addresses, not the person).
 */
export const engagementData: CustomerDataPart = {
  module: 'engagement',
  collections: ['engagement_events', 'engagement_marks', 'engagement_quiet_checks', 'engagement_flags'],

  async erase(customerId) {
    await Promise.all([
      EngagementEvent.deleteMany({ customerId }),
      // Gifts they gave stay counted for the friend who received them, without naming the giver.
      EngagementEvent.updateMany({ giverId: customerId }, { $unset: { giverId: 1 } }),
      EngagementMark.deleteMany({ customerId }),
      // A gift-funnel mark is the friend's, named `gin|<friend>|<bucket>|<giver>`: the giver's go too
      // (a scan, fine for a rare erase).
      EngagementMark.deleteMany({ _id: { $regex: `^gin\\|.*\\|${String(customerId)}$` } }),
      QuietCheck.deleteMany({ customerId }),
      EngagementFlag.deleteMany({ customerId }),
    ]);
  },

  async merge(from, into) {
    await Promise.all([
      EngagementEvent.updateMany({ customerId: from }, { $set: { customerId: into } }),
      EngagementEvent.updateMany({ giverId: from }, { $set: { giverId: into } }),
      EngagementMark.updateMany({ customerId: from }, { $set: { customerId: into } }),
      QuietCheck.updateMany({ customerId: from }, { $set: { customerId: into } }),
      EngagementFlag.updateMany({ customerId: from }, { $set: { customerId: into } }),
    ]);
  },

  async export(customerId) {
    const events = await EngagementEvent.find({ customerId }, { kind: 1, at: 1, fresh: 1, held: 1 }).sort({ at: 1 }).limit(10_000).lean();
    return {
      engagementEvents: events.map((e) => ({
        id: e._id,
        kind: e.kind,
        at: e.at.toISOString(),
        newAccount: e.fresh,
        heldForReview: e.held ?? false,
      })),
    };
  },
};
