import type { CustomerDataPart } from '../platform/customerData';
import { Customer, CustomerIdentity, TimelineEntry, type CustomerDoc } from './model';
import { eraseCustomer } from './service';

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : d);

/** Timeline data that names another customer (as a string id), e.g. the giver on a friend's entry. */
export const TIMELINE_REFERENCES = ['data.fromCustomerId', 'data.toCustomerId', 'data.mergedCustomerId'] as const;

/** The customer record, identities and timeline. Registered last: other parts may still need the openids. */
export const customersData: CustomerDataPart = {
  module: 'customers',
  collections: ['customers', 'customer_identities', 'timeline'],

  async erase(customerId, at) {
    await eraseCustomer(customerId, at);
    // Other people's entries keep what happened to them, but no longer who it came from.
    for (const path of TIMELINE_REFERENCES) {
      await TimelineEntry.updateMany({ [path]: customerId.toString() }, { $unset: { [path]: '' } });
    }
  },

  async merge(from, into) {
    await CustomerIdentity.updateMany({ customerId: from }, { $set: { customerId: into } });
    await TimelineEntry.updateMany({ customerId: from }, { $set: { customerId: into } });
    for (const path of TIMELINE_REFERENCES) {
      if (path === 'data.mergedCustomerId') continue; // the survivor's record of the merge itself
      await TimelineEntry.updateMany({ [path]: from.toString() }, { $set: { [path]: into.toString() } });
    }
    // Records once merged into `from` now belong to the survivor as well.
    await Customer.updateMany({ mergedInto: from }, { $set: { mergedInto: into } });
    const [source, target] = await Promise.all([Customer.findById(from).lean<CustomerDoc>(), Customer.findById(into).lean<CustomerDoc>()]);
    if (source && target) {
      // What the survivor does not know yet comes over from the merged record; then the shell is emptied.
      const set: Record<string, unknown> = {};
      for (const section of ['profile', 'officialAccount'] as const) {
        for (const [field, value] of Object.entries(source[section] ?? {})) {
          const current = (target[section] as Record<string, unknown> | undefined)?.[field];
          const empty = current === undefined || current === null || (Array.isArray(current) && current.length === 0);
          if (empty && value !== undefined && value !== null) set[`${section}.${field}`] = value;
        }
      }
      if (Object.keys(set).length) await Customer.updateOne({ _id: into }, { $set: set });
    }
    await Customer.updateOne({ _id: from }, { $unset: { profile: '', officialAccount: '' } });
  },

  async export(customerId) {
    const [customer, identities, timeline] = await Promise.all([
      Customer.findById(customerId).lean<CustomerDoc>(),
      CustomerIdentity.find({ customerId }).lean(),
      TimelineEntry.find({ customerId }).sort({ at: 1, _id: 1 }).lean(),
    ]);
    return {
      customer: {
        id: customerId.toString(),
        status: customer?.status,
        profile: customer?.profile ?? {},
        officialAccount: customer?.officialAccount ?? {},
        createdAt: iso(customer?.createdAt),
      },
      identities: identities.map((i) => ({ kind: i.kind, value: i.value, since: (i.createdAt as Date).toISOString() })),
      timeline: timeline.map((t) => ({
        type: t.type,
        channel: t.channel,
        summary: t.summary,
        at: iso(t.at),
        data: t.data ?? {},
        storeId: t.storeId?.toString() ?? null,
      })),
    };
  },
};
