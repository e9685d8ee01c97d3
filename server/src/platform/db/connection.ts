import mongoose from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';
import { database as dbMetrics } from '../metrics';

/**
 * The driver's pool on the embedded engine. FerretDB holds one PostgreSQL connection per operation
 * in flight and one per open cursor, from a pool of FERRETDB_BACKEND_POOL (embeddedEngine.ts); with
 * the driver's pool well below it, operations in flight can always get a backend connection.
 */
export const EMBEDDED_DRIVER_POOL_SIZE = 20;
/** The driver's pool on a real MongoDB (MONGODB_URI). */
export const MONGODB_DRIVER_POOL_SIZE = 50;
/**
 * Every find and aggregate on the embedded engine returns its results in the first batch (up to this
 * many documents), so no request leaves a cursor open across round trips. FerretDB keeps a backend
 * connection per open cursor: cursors waiting for a getMore that the driver cannot send (its pool
 * busy inside FerretDB, waiting for a backend connection) is the deadlock this prevents.
 */
export const FIRST_BATCH_SIZE = 10_000;

export interface ConnectOptions {
  /** True on the embedded engine: smaller pool, whole results in the first batch. */
  embedded: boolean;
}

/** Connects the process-wide mongoose connection. Models register on it. */
export async function connectDatabase(uri: string, options: ConnectOptions = { embedded: false }): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  // Don't let a request hang for long when the database is away: fail fast, answer 503.
  mongoose.set('bufferTimeoutMS', 5_000);
  if (options.embedded) installFirstBatch();
  // A short heartbeat notices a restarted engine within seconds.
  const connected = await mongoose.connect(uri, {
    serverSelectionTimeoutMS: 5_000,
    heartbeatFrequencyMS: 2_000,
    maxPoolSize: options.embedded ? EMBEDDED_DRIVER_POOL_SIZE : MONGODB_DRIVER_POOL_SIZE,
    monitorCommands: true,
  });
  countCommands(connected.connection.getClient());
  return connected;
}

/** Commands the driver does not send for the application (handshakes, heartbeats, sessions). */
const HOUSEKEEPING = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo']);

/** Counts every command sent (the engine round trips a request costs) and how long each took. */
function countCommands(client: mongoose.mongo.MongoClient): void {
  client.on('commandStarted', (event) => {
    if (HOUSEKEEPING.has(event.commandName)) return;
    const target = (event.command as Record<string, unknown>)[event.commandName];
    dbMetrics.commands.inc({ command: event.commandName, collection: typeof target === 'string' ? target : '' });
  });
  const timed = (event: { commandName: string; duration: number }) => {
    if (!HOUSEKEEPING.has(event.commandName)) dbMetrics.commandDuration.observe({ command: event.commandName }, event.duration / 1000);
  };
  client.on('commandSucceeded', timed);
  client.on('commandFailed', timed);
}

let firstBatchInstalled = false;

/**
 * Gives every find and aggregate that does not choose a batch size FIRST_BATCH_SIZE. Done on the
 * driver's Collection (used at call time) rather than as a mongoose plugin, which would only reach
 * the models compiled after it.
 */
function installFirstBatch(): void {
  if (firstBatchInstalled) return;
  firstBatchInstalled = true;
  const proto = mongoose.mongo.Collection.prototype as unknown as Record<'find' | 'aggregate', (...args: unknown[]) => unknown>;
  for (const method of ['find', 'aggregate'] as const) {
    const original = proto[method];
    proto[method] = function withFirstBatch(this: unknown, ...args: unknown[]) {
      const options = args[1] as { batchSize?: number } | undefined;
      if (options?.batchSize === undefined) args[1] = { ...options, batchSize: FIRST_BATCH_SIZE };
      return original.apply(this, args);
    };
  }
}

/**
 * True when the database answers a real read (not just a ping) within the time given: a wedged engine
 * can still answer ping while every query hangs.
 */
export async function databaseAnswersReads(timeoutMs = 3_000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) return false;
  const model = Object.values(mongoose.connection.models)[0];
  const collection = model?.collection.collectionName ?? 'readiness';
  const read = db
    .collection(collection)
    .findOne({}, { projection: { _id: 1 }, maxTimeMS: timeoutMs })
    .then(() => true)
    .catch(() => false);
  return Promise.race([read, sleep(timeoutMs).then(() => false)]);
}

/** Closes the connection; bounded, since a frozen engine never answers the close. */
export async function disconnectDatabase(timeoutMs = 2_000): Promise<void> {
  const closed = mongoose.disconnect().catch(() => undefined);
  const inTime = await Promise.race([closed.then(() => true), sleep(timeoutMs).then(() => false)]);
  if (!inTime) await Promise.race([mongoose.connection.close(true).catch(() => undefined), sleep(500)]);
}
