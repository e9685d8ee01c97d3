// `npm run db:migrate`: copies the data of the earlier SQLite-based embedded engine (DATA_DIR/ferretdb)
// into the current engine: the embedded one, or MONGODB_URI when it is set. `npm start` does the same
// by itself on the embedded engine; this is for doing it ahead of time, for MONGODB_URI, or again
// after a run that stopped half way. The old files are kept (renamed once everything is in).
import { loadConfigOrExit } from '../config';
import { createLogger } from '../logger';
import { startEmbeddedEngine } from './embeddedEngine';
import { EngineUnavailableError, ensureFerretdb } from './ferretdbBinary';
import { migrateSqliteData, pendingSqliteDatabases, type CollectionMigrated } from './sqliteMigration';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(config.logLevel);
  const pending = await pendingSqliteDatabases(config.dataDir);
  if (!pending.length) {
    process.stdout.write(`Nothing to migrate: no data of the earlier engine in ${config.dataDir}/ferretdb.\n`);
    return;
  }
  process.stdout.write(`Migrating ${pending.length} database(s) of the earlier engine: ${pending.join(', ')}\n`);
  const ferretdbBin = await ensureFerretdb({ explicitBin: config.ferretdbBin });
  const onBatch = ({ database, collection, copied }: { database: string; collection: string; copied: number }) => {
    if (copied % 10_000 === 0) process.stdout.write(`  ${database}.${collection}: ${copied} documents\n`);
  };
  let migrated: CollectionMigrated[] | null;
  if (config.mongodbUri) {
    migrated = await migrateSqliteData({ dataDir: config.dataDir, ferretdbBin, targetUri: config.mongodbUri, log, onBatch });
  } else {
    const engine = await startEmbeddedEngine({ dataDir: config.dataDir, ferretdbBin, log, migrateOldData: false });
    try {
      migrated = await migrateSqliteData({ dataDir: config.dataDir, ferretdbBin, targetUri: engine.uri, log, onBatch });
      await engine.ensureIndexes();
    } finally {
      await engine.stop();
    }
  }
  for (const c of migrated ?? []) {
    process.stdout.write(`  ${c.database}.${c.collection}: ${c.documents} documents, indexes: ${c.indexes.join(', ') || '-'}\n`);
  }
  process.stdout.write(
    'Done: every collection is copied and its count checked. The old files are kept in DATA_DIR/ferretdb-sqlite.migrated.\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof EngineUnavailableError ? err.message : String((err as Error)?.stack ?? err)}\n`);
  process.stderr.write('The old files are untouched; running `npm run db:migrate` again is safe.\n');
  process.exit(1);
});
