// Domain events: how one module reacts to what happened in another without either knowing the other.
// In-process and awaited: emit() runs every handler before it returns. Durable: the event is written
// down before its handlers run and removed once they have all succeeded, so a handler that fails, or
// a process that dies half-way, leaves a record that the retry job (one instance at a time, under a
// lease) runs again until every handler has succeeded. Handlers must therefore be idempotent.
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from '../db/errors';
import type { PeriodicJob } from '../jobs/periodic';
import type { Logger } from '../logger';

/** Every event and its payload. Ids are strings so that a payload stores and reads back as it is. */
export interface DomainEvents {
  /** Two records turned out to be one person: `from` is now a shell merged into `into`. */
  'customer.merged': { from: string; into: string };
  /** The person asked for their data to be erased; every module removes or anonymises its part. */
  'customer.erased': { customerId: string };
}
export type EventName = keyof DomainEvents;

export interface EventMeta {
  /** The event's id: emitting the same id again is the same event. */
  id: string;
  at: Date;
}

export type EventHandler<E extends EventName> = (payload: DomainEvents[E], meta: EventMeta) => Promise<void>;

interface Registration {
  name: string;
  handler: EventHandler<never>;
}

const handlers = new Map<EventName, Registration[]>();
let log: Pick<Logger, 'warn'> | undefined;

/** Where handler failures are reported (the composition root passes the app's logger). */
export function reportEventFailuresTo(logger: Pick<Logger, 'warn'>): void {
  log = logger;
}

/**
 * Subscribes a handler under a name unique for the event (`<module>.<what>`); registering the same
 * name again replaces it, so wiring the modules twice (tests, a restarted app) is harmless.
 */
export function on<E extends EventName>(event: E, name: string, handler: EventHandler<E>): void {
  const list = (handlers.get(event) ?? []).filter((r) => r.name !== name);
  list.push({ name, handler: handler as EventHandler<never> });
  handlers.set(event, list);
}

/** Names of the handlers of an event, in the order they run. */
export const handlersOf = (event: EventName): string[] => (handlers.get(event) ?? []).map((r) => r.name);

/** An event still owed to some of its handlers. */
const pendingEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    event: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, required: true },
    /** Handlers that have not succeeded yet. */
    pending: { type: [String], required: true },
    attempts: { type: Number, default: 0 },
    /** Not retried before this: a running emit() owns the record until then. */
    notBefore: { type: Date, required: true },
    lastError: { handler: String, message: String, at: Date },
  },
  { versionKey: false, minimize: false },
);
pendingEventSchema.index({ notBefore: 1 });
export const PendingEvent = mongoose.model('PendingEvent', pendingEventSchema, 'pending_events');

/** How long a running emit owns its record before the retry job may take it over. */
const OWNERSHIP_MS = 60_000;
const backoffMs = (attempts: number) => Math.min(60 * 60_000, 30_000 * 2 ** Math.min(attempts, 7));

export interface EmitResult {
  /** Handlers that failed this time; they are retried later. */
  failed: Array<{ handler: string; error: unknown }>;
}

/**
 * Runs every handler of the event, in order, each once even if another fails. A failure does not
 * throw: it is recorded and the retry job runs the handler again until it succeeds.
 */
export async function emit<E extends EventName>(
  event: E,
  payload: DomainEvents[E],
  options: { id?: string; at?: Date } = {},
): Promise<EmitResult> {
  const registered = handlers.get(event) ?? [];
  if (!registered.length) return { failed: [] };
  const at = options.at ?? new Date();
  const id = options.id ?? `${event}:${new mongoose.Types.ObjectId().toString()}`;
  const record = {
    _id: id,
    event,
    payload,
    at,
    pending: registered.map((r) => r.name),
    notBefore: new Date(Date.now() + OWNERSHIP_MS),
  };
  try {
    await PendingEvent.create(record);
  } catch (err) {
    // Emitted before (a repeated request, a finishing pass): run the handlers again; they are idempotent.
    if (!isDuplicateKey(err)) throw err;
  }
  return runPending(
    id,
    event,
    payload,
    { id, at },
    registered.map((r) => r.name),
    0,
  );
}

async function runPending<E extends EventName>(
  id: string,
  event: E,
  payload: DomainEvents[E],
  meta: EventMeta,
  pending: string[],
  attempts: number,
): Promise<EmitResult> {
  const failed: EmitResult['failed'] = [];
  for (const registration of handlers.get(event) ?? []) {
    if (!pending.includes(registration.name)) continue;
    try {
      await (registration.handler as EventHandler<E>)(payload, meta);
    } catch (error) {
      failed.push({ handler: registration.name, error });
      log?.warn({ err: error, event, eventId: id, handler: registration.name }, 'event handler failed; it will be retried');
    }
  }
  // A handler name no longer registered (removed in a newer version) is dropped, not retried for ever.
  if (!failed.length) {
    await PendingEvent.deleteOne({ _id: id });
    return { failed };
  }
  const first = failed[0]!;
  await PendingEvent.updateOne(
    { _id: id },
    {
      $set: {
        pending: failed.map((f) => f.handler),
        attempts: attempts + 1,
        notBefore: new Date(Date.now() + backoffMs(attempts)),
        lastError: { handler: first.handler, message: String((first.error as Error)?.message ?? first.error), at: new Date() },
      },
    },
  );
  return { failed };
}

/** One pass of the retry job: runs again what is owed on every event whose time has come. */
export async function retryPendingEvents(now = new Date(), limit = 100): Promise<{ retried: number; failed: number }> {
  const due = await PendingEvent.find({ notBefore: { $lte: now } })
    .sort({ notBefore: 1 })
    .limit(limit)
    .lean<Array<{ _id: string; event: EventName; payload: never; at: Date; pending: string[]; attempts?: number }>>();
  let failed = 0;
  for (const record of due) {
    const result = await runPending(
      record._id,
      record.event,
      record.payload,
      { id: record._id, at: record.at },
      record.pending,
      record.attempts ?? 0,
    );
    if (result.failed.length) failed++;
  }
  return { retried: due.length, failed };
}

/** The job that finishes events cut short. Periodic jobs run under a lease: one instance at a time. */
export const retryEventsJob: PeriodicJob = {
  name: 'platform.retry-events',
  intervalMs: 30_000,
  run: async (now) => {
    await retryPendingEvents(now);
  },
};
