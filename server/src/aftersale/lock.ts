import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose, { Schema } from 'mongoose';
import { busy } from '../platform/errors';
import { isDuplicateKey } from '../platform/db/errors';

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
    holder: { type: String, required: true },
    /** After this the lock counts as abandoned (its holder died) and may be taken over. */
    until: { type: Date, required: true },
  },
  { versionKey: false },
);
export const AftersaleLock = mongoose.model('AftersaleLock', lockSchema, 'aftersale_locks');

export interface LockOptions {
  /** How long the lock may be held before others may take it over. */
  ttlMs?: number;
  /** How long to wait for a busy lock before giving up with 503. */
  waitMs?: number;
}

export async function withLock<T>(name: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const ttlMs = options.ttlMs ?? 15_000;
  const giveUpAt = Date.now() + (options.waitMs ?? 5_000);
  const holder = randomUUID();
  for (let attempt = 0; ; attempt++) {
    try {
      await AftersaleLock.create({ _id: name, holder, until: new Date(Date.now() + ttlMs) });
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
  try {
    return await work();
  } finally {
    await AftersaleLock.deleteOne({ _id: name, holder });
  }
}
