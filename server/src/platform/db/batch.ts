import type { Model } from 'mongoose';
import { isDuplicateKey } from './errors';

// Group commit: writes that arrive while earlier ones are on their way to the database go together
// as the next round trip. A write that finds the line free is sent at once (no window to wait out
// when the server is quiet); under load each round trip carries everything that arrived during the
// one before, so batches grow with the load and round trips do not. Each caller still gets its own
// outcome.

export interface BatcherOptions<T, R> {
  /** Round trips of this batcher in flight at once; writes that arrive meanwhile wait for the next. */
  maxInFlight: number;
  /** A batch this large is sent as soon as a round trip is free, the rest waits for the next. */
  maxSize: number;
  /** Writes a batch; returns one outcome per item, in order (an Error rejects that item only). */
  flush: (items: T[]) => Promise<Array<R | Error>>;
}

/** A function that queues an item and resolves with its outcome once its batch is written. */
export type Batcher<T, R> = (item: T) => Promise<R>;

export function createBatcher<T, R>(options: BatcherOptions<T, R>): Batcher<T, R> {
  type Pending = { item: T; resolve: (r: R) => void; reject: (e: unknown) => void };
  let pending: Pending[] = [];
  let inFlight = 0;

  const send = () => {
    while (inFlight < options.maxInFlight && pending.length) {
      const batch = pending.slice(0, options.maxSize);
      pending = pending.slice(batch.length);
      inFlight++;
      // flush is called on a later tick, so the writes of the same tick join this batch.
      void Promise.resolve()
        .then(() => options.flush(batch.map((p) => p.item)))
        .then(
          (outcomes) => {
            batch.forEach((p, i) => {
              const outcome = outcomes[i];
              if (outcome instanceof Error) p.reject(outcome);
              else p.resolve(outcome as R);
            });
          },
          (err) => {
            for (const p of batch) p.reject(err);
          },
        )
        .finally(() => {
          inFlight--;
          send();
        });
    }
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length === 1) queueMicrotask(send);
    });
}

export type InsertOutcome = 'inserted' | 'duplicate';

interface WriteErrorLike {
  index: number;
  code?: number;
  errmsg?: string;
  err?: { index: number; code?: number; errmsg?: string };
}

interface BulkWriteErrorLike {
  code?: number;
  writeErrors?: WriteErrorLike[] | WriteErrorLike;
}

/**
 * Inserts documents with one unordered insertMany and reports each one: inserted, or refused by a
 * unique index (`duplicate`), or the error that refused it. Documents that repeat an `_id` of an
 * earlier document of the same call are reported as duplicates without being sent.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any model; documents are plain records
export async function insertEach(model: Model<any>, docs: Array<Record<string, unknown>>): Promise<Array<InsertOutcome | Error>> {
  const outcomes: Array<InsertOutcome | Error> = new Array(docs.length).fill('inserted');
  const seen = new Set<string>();
  const sent: number[] = [];
  docs.forEach((doc, i) => {
    const id = doc._id === undefined ? undefined : String(doc._id);
    if (id !== undefined && seen.has(id)) outcomes[i] = 'duplicate';
    else {
      if (id !== undefined) seen.add(id);
      sent.push(i);
    }
  });
  if (!sent.length) return outcomes;
  try {
    await model.collection.insertMany(
      sent.map((i) => docs[i]!),
      { ordered: false },
    );
  } catch (err) {
    const bulk = err as BulkWriteErrorLike;
    const list = bulk.writeErrors === undefined ? [] : Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
    if (!list.length) {
      // Nothing per document: the whole call failed (connection, engine away).
      for (const i of sent) outcomes[i] = err as Error;
      return outcomes;
    }
    for (const writeError of list) {
      const e = writeError.err ?? writeError;
      const at = sent[e.index];
      if (at === undefined) continue;
      outcomes[at] = isDuplicateKey({ code: e.code, message: e.errmsg }) ? 'duplicate' : new Error(e.errmsg ?? 'insert failed');
    }
  }
  return outcomes;
}

/** Plain documents as the model would store them (defaults, casting, an _id), for insertEach. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- works on any model; documents are plain records
export function toStored(model: Model<any>, doc: Record<string, unknown>): Record<string, unknown> {
  return new model(doc).toObject({ virtuals: false, versionKey: true }) as Record<string, unknown>;
}
