import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from '../db/errors';
import { jobs as jobMetrics } from '../metrics';

/**
 * A named lease held by one server instance at a time, kept in the database (never in process
 * memory), so that periodic jobs and token refreshes run once across every instance.
 *
 * Each holder's tenure is a *term*: a document (name, term) under a unique index. Taking over a
 * free or expired lease means inserting term N+1, and the unique index lets exactly one contender
 * do so. Only a term's holder ever updates that term (to renew or release it). A guarded
 * findOneAndUpdate would not do: the embedded engine (FerretDB 1.24) applies the guard and the
 * update as separate steps, so two contenders could both "win".
 */
const leaseTermSchema = new Schema(
  {
    name: { type: String, required: true },
    term: { type: Number, required: true },
    holder: { type: String, required: true },
    until: { type: Date, required: true },
  },
  { versionKey: false },
);
leaseTermSchema.index({ name: 1, term: -1 }, { unique: true });
export const Lease = mongoose.model('LeaseTerm', leaseTermSchema, 'lease_terms');

/** This process's identity as a lease holder. */
export const INSTANCE_ID = `${process.pid}-${randomUUID().slice(0, 8)}`;

/** Terms kept per lease, for the record; older ones are removed by the next winner. */
const TERMS_KEPT = 10;

async function currentTerm(name: string) {
  return Lease.findOne({ name }).sort({ term: -1 }).lean();
}

/** Takes or renews the lease; false when another holder has it and it has not run out. */
export async function tryAcquireLease(name: string, ttlMs: number, holder = INSTANCE_ID, now = new Date()): Promise<boolean> {
  const until = new Date(now.getTime() + ttlMs);
  const latest = await currentTerm(name);
  if (latest && latest.until > now) {
    if (latest.holder !== holder) return false;
    await Lease.updateOne({ _id: latest._id, holder }, { $set: { until } });
    return true;
  }
  const term = (latest?.term ?? 0) + 1;
  try {
    await Lease.create({ name, term, holder, until });
  } catch (err) {
    if (isDuplicateKey(err)) return false; // another contender took this term first
    throw err;
  }
  if (latest && latest.holder !== holder) {
    jobMetrics.leaseTakeovers.inc({ lease: name, previous: latest.until.getTime() === 0 ? 'released' : 'expired' });
  }
  await Lease.deleteMany({ name, term: { $lte: term - TERMS_KEPT } });
  return true;
}

/** Ends the holder's term now, so another instance can take the lease at once. */
export async function releaseLease(name: string, holder = INSTANCE_ID): Promise<void> {
  const latest = await currentTerm(name);
  if (latest?.holder === holder) await Lease.updateOne({ _id: latest._id, holder }, { $set: { until: new Date(0) } });
}
