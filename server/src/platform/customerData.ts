// Customer erasure, merge and export reach every module through one contract: each module that keeps
// records about a customer (by customerId or otherwise) registers its part here. Erase and merge run
// as handlers of the customer.erased and customer.merged events (durable, retried until they succeed);
// export collects every part's records. platform/ knows the contract, never the modules.
import { Types } from 'mongoose';
import { on } from './events';

export interface CustomerDataPart {
  /** The module's name; also names its event handlers. */
  module: string;
  /**
   * Every collection in which this module keeps records about a customer. A test checks that each
   * collection with a customerId (or another path holding personal data) is claimed by some part.
   */
  collections: readonly string[];
  /** Deletes or anonymises the customer's records, keeping only what accounting needs. Idempotent. */
  erase(customerId: Types.ObjectId, at: Date): Promise<void>;
  /** Moves or re-points `from`'s records to `into`, the surviving record. Idempotent. */
  merge(from: Types.ObjectId, into: Types.ObjectId, at: Date): Promise<void>;
  /** The customer's records, as the person may read them (sections keyed by name). */
  export(customerId: Types.ObjectId): Promise<Record<string, unknown>>;
}

const parts = new Map<string, CustomerDataPart>();

/** Registers a module's part and its event handlers. Registering a module again replaces its part. */
export function registerCustomerData(part: CustomerDataPart): void {
  parts.set(part.module, part);
  on('customer.erased', `${part.module}.erase`, ({ customerId }, meta) => part.erase(new Types.ObjectId(customerId), meta.at));
  on('customer.merged', `${part.module}.merge`, ({ from, into }, meta) =>
    part.merge(new Types.ObjectId(from), new Types.ObjectId(into), meta.at),
  );
}

export const customerDataParts = (): CustomerDataPart[] => [...parts.values()];

/** Every part's export of the customer's records, merged into one object of sections. */
export async function exportCustomerData(customerId: Types.ObjectId): Promise<Record<string, unknown>> {
  const sections = await Promise.all(customerDataParts().map((part) => part.export(customerId)));
  return Object.assign({}, ...sections) as Record<string, unknown>;
}
