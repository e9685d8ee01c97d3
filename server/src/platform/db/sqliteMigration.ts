// Data of the earlier embedded engine (FerretDB on SQLite, one `<database>.sqlite` file per database
// in DATA_DIR/ferretdb) copied into the current one. The old files are read through FerretDB's own
// SQLite handler (the same binary), from a scratch copy, so they stay exactly as they were. Every
// collection, its indexes and its documents are copied and the counts compared; only then is the old
// folder renamed to DATA_DIR/ferretdb-sqlite.migrated (kept, never deleted). A run that stops half way
// leaves the old folder in place, and the next run copies again: documents already copied are
// recognised by `_id` and skipped.
import { cp, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Logger } from '../logger';
import { isDuplicateKey } from './errors';
import { EngineUnavailableError } from './ferretdbBinary';
import { startProcess } from './processes';
import { freeLoopbackPort, waitForPort } from './ports';

type MongoClient = InstanceType<typeof mongoose.mongo.MongoClient>;
type Db = ReturnType<MongoClient['db']>;

/** Where the SQLite engine kept its databases. */
export const SQLITE_DATA_DIR = 'ferretdb';
/** Where they are kept once copied. */
export const MIGRATED_SQLITE_DIR = 'ferretdb-sqlite.migrated';
const SOURCE_COPY_DIR = 'ferretdb-sqlite.reading';
/** Databases that are the engines' own, never the product's. */
const SKIPPED_DATABASES = new Set(['admin', 'config', 'local', 'loopline_engine']);
const BATCH = 1_000;
/** Index options carried over as they are (the key and name always are). */
const INDEX_OPTIONS = ['unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression', 'collation'] as const;

export interface CollectionMigrated {
  database: string;
  collection: string;
  documents: number;
  indexes: string[];
}

export interface MigrationProgress {
  database: string;
  collection: string;
  copied: number;
}

export interface SqliteMigrationOptions {
  dataDir: string;
  ferretdbBin: string;
  /** The engine the data goes to (a mongodb:// URI without a database name). */
  targetUri: string;
  log: Logger;
  /** Called after each batch is stored (progress; tests interrupt a run here). */
  onBatch?: (progress: MigrationProgress) => void | Promise<void>;
}

/** The SQLite database files of the earlier engine still waiting to be migrated (none: nothing to do). */
export async function pendingSqliteDatabases(dataDir: string): Promise<string[]> {
  const files = await readdir(path.join(dataDir, SQLITE_DATA_DIR)).catch(() => [] as string[]);
  return files.filter((f) => f.endsWith('.sqlite')).map((f) => f.slice(0, -'.sqlite'.length));
}

/**
 * Copies the SQLite engine's data into the engine at targetUri. Returns what was copied, or null when
 * there is nothing to migrate. Throws (leaving the old files where they were) if anything does not
 * match; running it again is safe.
 */
export async function migrateSqliteData(options: SqliteMigrationOptions): Promise<CollectionMigrated[] | null> {
  const { dataDir, log } = options;
  if (!(await pendingSqliteDatabases(dataDir)).length) return null;
  const oldDir = path.join(dataDir, SQLITE_DATA_DIR);
  const readingDir = path.join(dataDir, SOURCE_COPY_DIR);
  log.warn({ folder: oldDir }, 'migrating the data of the earlier SQLite-based embedded engine; its files are kept');

  // FerretDB opens SQLite files for writing (its metadata, the WAL): it reads a copy, never the originals.
  await rm(readingDir, { recursive: true, force: true });
  await mkdir(path.join(readingDir, 'state'), { recursive: true });
  await cp(oldDir, path.join(readingDir, 'data'), { recursive: true });
  const port = await freeLoopbackPort();
  const reader = startProcess(
    'ferretdb-sqlite',
    options.ferretdbBin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${path.join(readingDir, 'data')}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${path.join(readingDir, 'state')}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    {},
    log,
  );
  const source = new mongoose.mongo.MongoClient(`mongodb://127.0.0.1:${port}`, { serverSelectionTimeoutMS: 10_000 });
  const target = new mongoose.mongo.MongoClient(options.targetUri, { serverSelectionTimeoutMS: 10_000 });
  let migrated: CollectionMigrated[];
  try {
    await Promise.race([
      waitForPort(port, 30_000),
      reader.exited.then(() => {
        throw new EngineUnavailableError('FerretDB could not open the SQLite data; see the log above.');
      }),
    ]);
    await Promise.all([source.connect(), target.connect()]);
    migrated = await copyAll(source, target, options);
  } finally {
    await Promise.all([source.close(true).catch(() => undefined), target.close(true).catch(() => undefined)]);
    await reader.stop('SIGTERM', 2_000);
  }
  // Everything is in and counted: the old folder is set aside (kept), the scratch copy goes.
  await rename(oldDir, await freeName(path.join(dataDir, MIGRATED_SQLITE_DIR)));
  await rm(readingDir, { recursive: true, force: true });
  log.warn(
    {
      collections: migrated.length,
      documents: migrated.reduce((sum, c) => sum + c.documents, 0),
      keptIn: path.join(dataDir, MIGRATED_SQLITE_DIR),
    },
    'the earlier engine’s data is migrated; its files are kept and can be deleted once you are satisfied',
  );
  return migrated;
}

async function copyAll(source: MongoClient, target: MongoClient, options: SqliteMigrationOptions): Promise<CollectionMigrated[]> {
  const migrated: CollectionMigrated[] = [];
  const { databases } = await source.db('admin').admin().listDatabases({ nameOnly: true });
  for (const { name: database } of databases) {
    if (SKIPPED_DATABASES.has(database)) continue;
    const from = source.db(database);
    const to = target.db(database);
    const collections = await from.listCollections({}, { nameOnly: false }).toArray();
    for (const info of collections) {
      if ((info as { type?: string }).type === 'view') continue;
      migrated.push(await copyCollection(from, to, info.name, options));
    }
  }
  return migrated;
}

async function copyCollection(from: Db, to: Db, collection: string, options: SqliteMigrationOptions): Promise<CollectionMigrated> {
  const database = from.databaseName;
  await to.createCollection(collection).catch((err: { code?: number }) => {
    if (err.code !== 48) throw err; // NamespaceExists: an earlier, interrupted run made it
  });
  // Indexes first: the unique ones then hold while the documents go in, as they did before.
  const indexes: string[] = [];
  for (const index of await from.collection(collection).listIndexes().toArray()) {
    if (index.name === '_id_') continue;
    const carried = Object.fromEntries(INDEX_OPTIONS.filter((o) => index[o] !== undefined).map((o) => [o, index[o]]));
    await to.collection(collection).createIndex(index.key, { ...carried, name: index.name });
    indexes.push(index.name as string);
  }

  let copied = 0;
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    if (!batch.length) return;
    await to
      .collection(collection)
      .insertMany(batch, { ordered: false })
      .catch((err: { writeErrors?: unknown[] | unknown }) => {
        // Copied by an earlier run that stopped half way: same `_id`, already there.
        const errors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : [err];
        if (!errors.every((e) => isDuplicateKey(e) || isDuplicateKey((e as { err?: unknown }).err))) throw err;
      });
    copied += batch.length;
    batch = [];
    await options.onBatch?.({ database, collection, copied });
  };
  for await (const doc of from.collection(collection).find({}, { batchSize: BATCH })) {
    batch.push(doc);
    if (batch.length >= BATCH) await flush();
  }
  await flush();

  const [before, after] = await Promise.all([from.collection(collection).countDocuments({}), to.collection(collection).countDocuments({})]);
  if (before !== after) {
    throw new Error(
      `Migration of ${database}.${collection}: ${before} documents in the SQLite data but ${after} after the copy. ` +
        'The old files are untouched; fix the cause and run `npm run db:migrate` again.',
    );
  }
  return { database, collection, documents: after, indexes };
}

/** `base`, or `base.2`, `base.3`... whichever does not exist yet (a second migrated folder never overwrites the first). */
async function freeName(base: string): Promise<string> {
  const taken = new Set(await readdir(path.dirname(base)).catch(() => [] as string[]));
  let candidate = base;
  for (let i = 2; taken.has(path.basename(candidate)); i++) candidate = `${base}.${i}`;
  return candidate;
}
