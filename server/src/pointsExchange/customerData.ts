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

  // The exchanges' spends and coupons are in the ledger and coupons sections.
  async export() {
    return {};
  },
};
