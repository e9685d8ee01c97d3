import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from '../db/errors';

/**
 * A named lease held by one server instance at a time, in the database (never in process memory),
 * so that periodic jobs and token refreshes run once across every instance.
 */
const leaseSchema = new Schema(
  {
    _id: { type: String },
    holder: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { versionKey: false },
);
export const Lease = mongoose.model('Lease', leaseSchema, 'leases');

/** This process's identity as a lease holder. */
export const INSTANCE_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;

/** Takes or renews the lease; false when another holder has it and it has not run out. */
export async function tryAcquireLease(name: string, ttlMs: number, holder = INSTANCE_ID, now = new Date()): Promise<boolean> {
  const until = new Date(now.getTime() + ttlMs);
  try {
    const doc = await Lease.findOneAndUpdate(
      { _id: name, $or: [{ holder }, { until: { $lte: now } }] },
      { $set: { holder, until } },
      { upsert: true, new: true },
    ).lean();
    return doc?.holder === holder;
  } catch (err) {
    // The upsert raced with another holder's live lease: the filter missed, the insert collided.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function releaseLease(name: string, holder = INSTANCE_ID): Promise<void> {
  await Lease.updateOne({ _id: name, holder }, { $set: { until: new Date(0) } });
}
