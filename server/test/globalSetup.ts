// One embedded engine (FerretDB on PostgreSQL, as `npm start` runs it) for the whole test run; each
// test file gets its own database on it. Its data lives on tmpfs and skips fsync.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedEngine, type EmbeddedEngine } from '../src/platform/db/embeddedEngine';
import { ensureFerretdb } from '../src/platform/db/ferretdbBinary';
import { createLogger } from '../src/platform/logger';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    ferretdbBin: string;
    /** PostgreSQL behind the embedded engine; null when the tests run on TEST_MONGODB_URI. */
    enginePostgres: { port: number; password: string; database: string } | null;
  }
}

let engine: EmbeddedEngine | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const ferretdbBin = await ensureFerretdb({ explicitBin: process.env.FERRETDB_BIN || undefined });
  const scratch = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  dir = await mkdtemp(path.join(scratch, 'loopline-test-db-'));
  const uri = process.env.TEST_MONGODB_URI;
  if (!uri) {
    engine = await startEmbeddedEngine({ dataDir: dir, ferretdbBin, durable: false, log: createLogger('error') });
  }
  project.provide('mongoUri', uri ?? engine!.uri);
  project.provide('ferretdbBin', ferretdbBin);
  project.provide(
    'enginePostgres',
    engine ? { port: engine.postgres.port, password: engine.postgres.password, database: engine.postgres.database } : null,
  );
}

export async function teardown(): Promise<void> {
  await engine?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}
