import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose, { Schema } from 'mongoose';
import { busy } from '../platform/errors';
import { isDuplicateKey } from '../platform/db/errors';
import { INSTANCE_ID } from '../platform/jobs/lease';

/**
 * Short-lived named locks held in the database, taken by inserting a document with a unique _id.
 *
 * Why not just a guarded findOneAndUpdate: the embedded engine (FerretDB 1.24, SQLite) applies an
 * update by reading the document, changing it and writing it back outside one transaction, so two
 * concurrent updates of one document can both pass the same guard or lose each other's fields.
 * A unique-index insert is the one arbiter that holds on every engine, so every write to a ticket
 * is made under its lock. On MongoDB the guards alone would do; the lock costs two small writes.
 */
const lockSchema = new Schema(
  {
    _id: { type: String },
    /** The owner: the instance (pid and id) and this one acquisition. */
    holder: { type: String, required: true },
    /** The lease: renewed while the work runs; once past, the holder is taken for dead and the lock is free. */
    until: { type: Date, required: true },
  },
  { versionKey: false },
);
export const AftersaleLock = mongoose.model('AftersaleLock', lockSchema, 'aftersale_locks');

/**
 * A holder renews its lease every third of it, so a live holder never loses the lock however long
 * its work takes, and a crashed one (no more renewals) frees it within one lease.
 */
export const LOCK_LEASE_MS = 3_000;

export interface LockOptions {
  /** The lease: how long a holder that stopped renewing (it crashed) keeps others out. */
  leaseMs?: number;
  /** How long to wait for a busy lock before giving up with 503. */
  waitMs?: number;
}

export async function withLock<T>(name: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const leaseMs = options.leaseMs ?? LOCK_LEASE_MS;
  const giveUpAt = Date.now() + (options.waitMs ?? 5_000);
  const holder = `${INSTANCE_ID}:${randomUUID()}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await AftersaleLock.create({ _id: name, holder, until: new Date(Date.now() + leaseMs) });
      break;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    const current = await AftersaleLock.findById(name).lean();
    if (current && current.until.getTime() < Date.now()) {
      await AftersaleLock.deleteOne({ _id: name, holder: current.holder });
      continue;
    }
    if (Date.now() > giveUpAt) throw busy('This ticket is busy; try again.');
    await sleep(Math.min(2 + attempt * 3, 40) + Math.random() * 5);
  }
  const renewal = setInterval(
    () => {
      void AftersaleLock.updateOne({ _id: name, holder }, { $set: { until: new Date(Date.now() + leaseMs) } }).catch(() => undefined);
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  renewal.unref();
  try {
    return await work();
  } finally {
    clearInterval(renewal);
    await AftersaleLock.deleteOne({ _id: name, holder });
  }
}
