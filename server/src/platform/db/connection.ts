import mongoose from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';

/** Connects the process-wide mongoose connection. Models register on it. */
export async function connectDatabase(uri: string): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  // Don't let a request hang for long when the database is away: fail fast, answer 503.
  mongoose.set('bufferTimeoutMS', 5_000);
  // A short heartbeat notices a restarted engine within seconds.
  return mongoose.connect(uri, { serverSelectionTimeoutMS: 5_000, heartbeatFrequencyMS: 2_000, maxPoolSize: 50 });
}

/** True when the database answers a ping within the time given. */
export async function pingDatabase(timeoutMs = 1_000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== 1) return false;
  const ping = db
    .admin()
    .ping()
    .then(() => true)
    .catch(() => false);
  return Promise.race([ping, sleep(timeoutMs).then(() => false)]);
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}
