import type { CustomerDataPart } from '../platform/customerData';
import { ExchangeOutcome, PointsExchange } from './model';

/** Points exchanges and their outcomes (the spend itself is in the members' ledger). */
export const pointsExchangeData: CustomerDataPart = {
  module: 'pointsExchange',
  collections: ['points_exchanges', 'points_exchange_outcomes'],

  // The records are keyed by the customer's id, so they go; the ledger keeps the accounting.
  async erase(customerId) {
    await ExchangeOutcome.deleteMany({ customerId });
    await PointsExchange.deleteMany({ customerId });
  },

  async merge(from, into) {
    await PointsExchange.updateMany({ customerId: from }, { $set: { customerId: into } });
    await ExchangeOutcome.updateMany({ customerId: from }, { $set: { customerId: into } });
  },

  async export(customerId) {
    const exchanges = await PointsExchange.find({ customerId }).sort({ createdAt: 1 }).lean();
    return {
      pointsExchanges: exchanges.map((e) => ({
        id: e._id,
        name: e.name,
        points: e.points,
        state: e.state,
        couponId: e.couponId?.toString() ?? null,
        createdAt: e.createdAt.toISOString(),
        settledAt: e.settledAt?.toISOString() ?? null,
      })),
    };
  },
};
