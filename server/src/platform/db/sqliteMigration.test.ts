// Data made by the earlier engine (a real FerretDB on SQLite, written here through the driver) comes
// across to the engine on PostgreSQL: every collection, index and document, with the old files kept,
// and a run interrupted half way finished by the next one.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../logger';
import { startEmbeddedEngine, type EmbeddedEngine } from './embeddedEngine';
import { freeLoopbackPort, waitForPort } from './ports';
import { startProcess } from './processes';
import { MIGRATED_SQLITE_DIR, migrateSqliteData, pendingSqliteDatabases, SQLITE_DATA_DIR } from './sqliteMigration';

// (FerretDB 1.24 has no Decimal128, so the earlier engine could not hold one.)
const { ObjectId, Long } = mongoose.mongo;
const { EJSON } = mongoose.mongo.BSON;
const log = createLogger('error');
const ferretdbBin = inject('ferretdbBin');
const DATABASES = ['loopline', 'loopline_archive'];

let dataDir: string;
/** What the SQLite engine holds, as the driver read it back: database -> collection -> documents. */
const written: Record<string, Record<string, unknown[]>> = {};

async function withSqliteEngine<T>(use: (client: InstanceType<typeof mongoose.mongo.MongoClient>) => Promise<T>): Promise<T> {
  const port = await freeLoopbackPort();
  // As the earlier engine laid it out: one SQLite file per database in DATA_DIR/ferretdb.
  await mkdir(path.join(dataDir, SQLITE_DATA_DIR), { recursive: true });
  await mkdir(path.join(dataDir, 'ferretdb-state'), { recursive: true });
  const proc = startProcess(
    'ferretdb-sqlite',
    ferretdbBin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${path.join(dataDir, SQLITE_DATA_DIR)}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${path.join(dataDir, 'ferretdb-state')}`,
      '--debug-addr=-',
      '--telemetry=disable',
    ],
    {},
    log,
  );
  const client = new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${port}`);
  try {
    await waitForPort(port, 30_000);
    await client.connect();
    return await use(client);
  } finally {
    await client.close(true);
    await proc.stop('SIGTERM', 5_000);
  }
}

async function filesDigest(dir: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    digest[name] = createHash('sha256')
      .update(await readFile(path.join(dir, name)))
      .digest('hex');
  }
  return digest;
}

const byId = (docs: unknown[]) => docs.map((d) => EJSON.stringify(d as object, { relaxed: false })).sort();

beforeAll(async () => {
  const scratch = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  dataDir = await mkdtemp(path.join(scratch, 'loopline-migrate-'));
  await withSqliteEngine(async (client) => {
    const db = client.db(DATABASES[0]);
    // Enough documents for several batches, with the types the product stores.
    const customers = Array.from({ length: 2_500 }, (_, i) => ({
      _id: new ObjectId(),
      name: `客户 ${i}`,
      phone: i % 7 ? `1380000${String(i).padStart(4, '0')}` : null,
      joinedAt: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000),
      tags: i % 3 ? ['vip', `t${i % 5}`] : [],
      profile: { city: i % 2 ? '上海' : '北京', points: Long.fromNumber(i * 10) },
      balance: i + 0.5,
    }));
    await db.collection('customers').insertMany(customers);
    await db.collection('customers').createIndex({ phone: 1 });
    await db.collection('coupons').createIndex({ code: 1 }, { unique: true, name: 'code_unique' });
    await db.collection('coupons').createIndex({ customerId: 1, claimedAt: -1 });
    await db
      .collection('coupons')
      .insertMany(
        Array.from({ length: 1_200 }, (_, i) => ({ code: `C${i}`, customerId: customers[i % 100]!._id, claimedAt: new Date(i) })),
      );
    await db.collection('sessions').insertMany([{ _id: 'token-hash-1', customerId: customers[0]!._id } as never]);
    await db.createCollection('empty_with_index');
    await db.collection('empty_with_index').createIndex({ key: 1 }, { unique: true });
    await client
      .db(DATABASES[1])
      .collection('old_events')
      .insertMany(Array.from({ length: 30 }, (_, i) => ({ n: i })));

    for (const name of DATABASES) {
      written[name] = {};
      for (const { name: collection } of await client.db(name).listCollections().toArray()) {
        written[name]![collection] = await client.db(name).collection(collection).find().toArray();
      }
    }
  });
  expect((await pendingSqliteDatabases(dataDir)).sort()).toEqual(DATABASES);
}, 120_000);

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('migration of the SQLite engine’s data', () => {
  let engine: EmbeddedEngine | undefined;
  afterAll(async () => {
    await engine?.stop();
  });

  it('keeps the old files when a run stops half way, and the next start finishes it', async () => {
    const oldDir = path.join(dataDir, SQLITE_DATA_DIR);
    const before = await filesDigest(oldDir);

    // A run that stops after its third batch (as a crash or Ctrl-C would).
    engine = await startEmbeddedEngine({ dataDir, ferretdbBin, log, durable: false, migrateOldData: false });
    let batches = 0;
    await expect(
      migrateSqliteData({
        dataDir,
        ferretdbBin,
        targetUri: engine.uri,
        log,
        onBatch: () => {
          if (++batches === 3) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(await filesDigest(oldDir)).toEqual(before);
    expect(existsSync(path.join(dataDir, MIGRATED_SQLITE_DIR))).toBe(false);
    const partial = new mongoose.mongo.MongoClient(engine.uri);
    try {
      const count = await partial.db(DATABASES[0]).collection('customers').countDocuments();
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThan(written[DATABASES[0]!]!.customers!.length);
    } finally {
      await partial.close();
    }
    await engine.stop();

    // The next start migrates by itself, over what the first run left.
    engine = await startEmbeddedEngine({ dataDir, ferretdbBin, log, durable: false });
    const client = new mongoose.mongo.MongoClient(engine.uri);
    try {
      for (const name of DATABASES) {
        const db = client.db(name);
        const collections = (await db.listCollections().toArray()).map((c) => c.name).sort();
        expect(collections).toEqual(Object.keys(written[name]!).sort());
        for (const [collection, docs] of Object.entries(written[name]!)) {
          const copied = await db.collection(collection).find().toArray();
          expect(copied.length, `${name}.${collection}`).toBe(docs.length);
          expect(byId(copied)).toEqual(byId(docs));
        }
      }
      const indexes = await client.db(DATABASES[0]).collection('coupons').indexes();
      expect(indexes.find((i) => i.name === 'code_unique')).toMatchObject({ key: { code: 1 }, unique: true });
      expect(indexes.some((i) => JSON.stringify(i.key) === JSON.stringify({ customerId: 1, claimedAt: -1 }))).toBe(true);
      expect((await client.db(DATABASES[0]).collection('empty_with_index').indexes()).some((i) => i.unique)).toBe(true);
      // The unique index holds on the new engine.
      await expect(client.db(DATABASES[0]).collection('coupons').insertOne({ code: 'C7' })).rejects.toMatchObject({ code: 11000 });
    } finally {
      await client.close();
    }

    // The old files are kept, unchanged, beside the new data; nothing is left to migrate.
    expect(existsSync(oldDir)).toBe(false);
    expect(await filesDigest(path.join(dataDir, MIGRATED_SQLITE_DIR))).toEqual(before);
    expect(await pendingSqliteDatabases(dataDir)).toEqual([]);
    expect(await migrateSqliteData({ dataDir, ferretdbBin, targetUri: engine.uri, log })).toBeNull();
  }, 300_000);
});
