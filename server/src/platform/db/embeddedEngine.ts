import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import type { Logger } from '../logger';
import { database as databaseMetrics } from '../metrics';
import {
  clusterPaths,
  ensureCluster,
  FERRETDB_PG_DATABASE,
  POSTGRES_ROLE,
  postgresBinaries,
  postgresOsUser,
  pgClient,
  readPassword,
  startPostgres,
} from './embeddedPostgres';
import { ensureGinIndexes, type GinIndexPlan } from './ginIndexes';
import { EngineUnavailableError, ensureFerretdb } from './ferretdbBinary';
import { freeLoopbackPort, waitForPort } from './ports';
import { isAlive, killLeftover, startProcess, type Supervised } from './processes';
import { migrateSqliteData } from './sqliteMigration';

export { freeLoopbackPort } from './ports';

export interface EmbeddedEngineOptions {
  /** Directory that holds the engine's data, state and pid file. */
  dataDir: string;
  ferretdbBin?: string;
  log: Logger;
  /** false for scratch data (tests on tmpfs): PostgreSQL skips fsync. Default true. */
  durable?: boolean;
  /** How long reads may go unanswered before the engine is restarted. Default 10 s. */
  stallRestartMs?: number;
  /** Migrate the earlier SQLite-based engine's data found in dataDir on start. Default true. */
  migrateOldData?: boolean;
}

export interface EmbeddedEngine {
  readonly kind: 'ferretdb-postgresql';
  /** mongodb:// URI of the engine without a database name. */
  readonly uri: string;
  readonly port: number;
  /** PostgreSQL behind FerretDB (for index maintenance). */
  readonly postgres: { port: number; password: string; database: string; user: string };
  /** True while both processes are up and the watchdog's reads have been answered lately. */
  isRunning(): boolean;
  /** How many times the supervisor restarted the engine. */
  restarts(): number;
  /** Process ids (tests freeze and kill them). */
  pids(): { ferretdb: number; postgres: number };
  /** Creates the GIN indexes still missing now (the engine also does it every few seconds by itself). */
  ensureIndexes(): Promise<GinIndexPlan[]>;
  /** Kills both engine processes as a crash would, resolving once they are gone (tests of supervision). */
  crashForTest(): Promise<void>;
  stop(): Promise<void>;
}

interface PidFile {
  serverPid: number;
  ferretdbPid: number;
  postgresPid: number;
}

/**
 * FerretDB's pool of PostgreSQL connections. An open cursor holds one until it is exhausted, so the
 * pool is kept well above the driver's pool (see DRIVER_POOL_SIZE in connection.ts): even with every
 * driver connection busy, open cursors cannot take the last backend connection.
 */
export const FERRETDB_BACKEND_POOL = 60;
/** How long each engine process gets to stop by itself before it is killed. */
const STOP_GRACE_MS = 1_500;
const MAX_RESTART_DELAY_MS = 5_000;
const PROBE_INTERVAL_MS = 1_000;
/** A probe slower than this counts as unanswered (a busy engine on a loaded machine is slow, not stuck). */
const PROBE_DEADLINE_MS = 3_000;
/** How often the GIN indexes of collections created since are added. */
const GIN_INTERVAL_MS = 2_000;
/** The watchdog's own database: one document it reads by `_id`. */
const PROBE_DATABASE = 'loopline_engine';

/**
 * Starts and supervises the embedded database: PostgreSQL (from npm) with FerretDB in front of it
 * speaking the MongoDB protocol, both on loopback ports and with their data under DATA_DIR. If either
 * process dies, or reads stop being answered for stallRestartMs, both are restarted on the same
 * ports, so the server's connection string stays valid and the driver reconnects by itself.
 */
export async function startEmbeddedEngine(options: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
  const { log } = options;
  const dataDir = path.resolve(options.dataDir);
  const stallRestartMs = options.stallRestartMs ?? 10_000;
  await mkdir(dataDir, { recursive: true });
  await reapOrphan(dataDir, log);

  const ferretdbBin = await ensureFerretdb({ explicitBin: options.ferretdbBin });
  const bins = await postgresBinaries();
  const owner = await postgresOsUser();
  const paths = clusterPaths(dataDir);
  await ensureCluster(paths, bins, owner, log);
  const password = await readPassword(paths);
  const stateDir = path.join(dataDir, 'ferretdb-state');
  await mkdir(stateDir, { recursive: true });
  const pgPort = await freeLoopbackPort();
  const port = await freeLoopbackPort();
  const uri = `mongodb://127.0.0.1:${port}`;
  const backendUrl =
    `postgres://${POSTGRES_ROLE}:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/${FERRETDB_PG_DATABASE}` +
    `?pool_max_conns=${FERRETDB_BACKEND_POOL}`;

  let postgres: Supervised | undefined;
  let ferretdb: Supervised | undefined;
  let stopping = false;
  let restarting: Promise<void> | undefined;
  let restartCount = 0;
  let lastGoodRead = Date.now();
  /** Requests fail fast once reads have gone unanswered this long (before the restart itself). */
  const downAfterMs = stallRestartMs / 2;
  const answering = () => Date.now() - lastGoodRead < downAfterMs;

  const writePidFile = () =>
    writeFile(
      path.join(dataDir, 'engine.pid'),
      JSON.stringify({ serverPid: process.pid, ferretdbPid: ferretdb?.pid ?? -1, postgresPid: postgres?.pid ?? -1 } satisfies PidFile),
    );

  const launch = async (): Promise<void> => {
    const pgProc = await startPostgres({ paths, port: pgPort, owner, bins, durable: options.durable ?? true, log });
    postgres = pgProc;
    watchExit(pgProc);
    const fdb = startProcess(
      'ferretdb',
      ferretdbBin,
      [
        '--handler=postgresql',
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${stateDir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        // Warnings include every refused write (duplicate keys are how we hold invariants): too loud.
        '--log-level=error',
      ],
      // The URL carries the password: through the environment, not the command line (ps shows that).
      { env: { ...process.env, FERRETDB_POSTGRESQL_URL: backendUrl } },
      log,
    );
    ferretdb = fdb;
    watchExit(fdb);
    await Promise.race([
      waitForPort(port, 30_000),
      fdb.exited.then(() => {
        throw new EngineUnavailableError('FerretDB exited during start; see the log above.');
      }),
    ]);
    await writePidFile();
    lastGoodRead = Date.now();
  };

  const watchExit = (proc: Supervised) => {
    void proc.exited.then(({ code, signal }) => {
      if (stopping || restarting || (proc !== postgres && proc !== ferretdb)) return;
      log.error({ engine: proc.name, code, signal }, 'database engine process exited unexpectedly; restarting the engine');
      void restart();
    });
  };

  const killBoth = async () => {
    await Promise.all([ferretdb?.kill(), postgres?.stop('SIGINT', STOP_GRACE_MS)]);
  };

  /** Stops whatever is left of the engine and starts both processes again (serialised). */
  const restart = (): Promise<void> =>
    (restarting ??= (async () => {
      let attempt = 0;
      while (!stopping) {
        await killBoth();
        if (stopping) break;
        try {
          await launch();
          restartCount += 1;
          databaseMetrics.engineRestarts.inc();
          log.warn({ port, restarts: restartCount }, 'database engine restarted');
          break;
        } catch (err) {
          log.error({ err }, 'database engine restart failed; trying again');
          await sleep(Math.min(250 * 2 ** attempt++, MAX_RESTART_DELAY_MS));
        }
      }
    })().finally(() => {
      restarting = undefined;
    }));

  // A crash of the server itself must not leave the engine behind.
  const killOnExit = () => {
    for (const proc of [ferretdb, postgres]) {
      if (!proc?.isAlive()) continue;
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  };
  process.once('exit', killOnExit);

  try {
    await launch();
  } catch (err) {
    stopping = true;
    await killBoth();
    process.removeListener('exit', killOnExit);
    throw err;
  }

  // The watchdog: a real read, by `_id`, through FerretDB and PostgreSQL, every second.
  const probe = new mongoose.mongo.MongoClient(`${uri}/${PROBE_DATABASE}`, {
    maxPoolSize: 2,
    serverSelectionTimeoutMS: PROBE_DEADLINE_MS,
    connectTimeoutMS: PROBE_DEADLINE_MS,
    socketTimeoutMS: PROBE_DEADLINE_MS + 1_000,
    heartbeatFrequencyMS: 1_000,
  });
  const probeDoc = probe.db(PROBE_DATABASE).collection<{ _id: string }>('probe');
  const readOnce = async (): Promise<boolean> => {
    const read = (async () => {
      let doc = await probeDoc.findOne({ _id: 'probe' });
      if (!doc) {
        await probeDoc.insertOne({ _id: 'probe' }).catch(() => undefined);
        doc = await probeDoc.findOne({ _id: 'probe' });
      }
      return doc !== null;
    })().catch(() => false);
    return Promise.race([read, sleep(PROBE_DEADLINE_MS).then(() => false)]);
  };
  if (await readOnce()) lastGoodRead = Date.now();
  const watchdog = (async () => {
    while (!stopping) {
      await sleep(PROBE_INTERVAL_MS);
      if (stopping || restarting) continue;
      const ok = await readOnce();
      if (stopping || restarting) continue;
      if (ok) {
        lastGoodRead = Date.now();
      } else if (Date.now() - lastGoodRead >= stallRestartMs) {
        log.error({ silentMs: Date.now() - lastGoodRead }, 'database engine stopped answering reads; restarting it');
        void restart();
      }
    }
  })();

  // GIN indexes beside FerretDB's, for every collection of every database, now and every few seconds.
  let indexing: Promise<GinIndexPlan[]> | undefined;
  const ensureIndexes = (): Promise<GinIndexPlan[]> =>
    (indexing ??= (async () => {
      const client = pgClient({ port: pgPort, password });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query("SET lock_timeout = '1s'");
        const created = await ensureGinIndexes(client);
        if (created.length) log.debug({ created: created.map((c) => `${c.schema}.${c.collection}.${c.field}`) }, 'GIN indexes created');
        return created;
      } finally {
        await client.end().catch(() => undefined);
      }
    })().finally(() => {
      indexing = undefined;
    }));
  await ensureIndexes().catch((err) => log.warn({ err }, 'could not create the GIN indexes yet'));
  const indexer = (async () => {
    while (!stopping) {
      await sleep(GIN_INTERVAL_MS);
      if (stopping || restarting || !answering()) continue;
      await ensureIndexes().catch((err) => log.warn({ err }, 'GIN index maintenance failed; retrying'));
    }
  })();

  log.info({ engine: 'ferretdb-postgresql', port, postgresPort: pgPort, dataDir }, 'embedded database started');

  const engine: EmbeddedEngine = {
    kind: 'ferretdb-postgresql',
    port,
    uri,
    postgres: { port: pgPort, password, database: FERRETDB_PG_DATABASE, user: POSTGRES_ROLE },
    isRunning: () => !restarting && answering() && Boolean(ferretdb?.isAlive() && postgres?.isAlive()),
    restarts: () => restartCount,
    ensureIndexes,
    pids: () => ({ ferretdb: ferretdb?.pid ?? -1, postgres: postgres?.pid ?? -1 }),
    crashForTest: async () => {
      await Promise.all([ferretdb?.kill(), postgres?.kill()]);
    },
    async stop() {
      stopping = true;
      process.removeListener('exit', killOnExit);
      // Bounded everywhere: a frozen engine must not hold the server's stop.
      await Promise.race([probe.close(true).catch(() => undefined), sleep(300)]);
      // Side by side: PostgreSQL's fast shutdown ends FerretDB's sessions; what was acknowledged is committed.
      await Promise.all([ferretdb?.stop('SIGTERM', STOP_GRACE_MS), postgres?.stop('SIGINT', STOP_GRACE_MS)]);
      await Promise.race([Promise.all([watchdog, indexer]), sleep(200)]);
      await rm(path.join(dataDir, 'engine.pid'), { force: true });
    },
  };

  // Data of the earlier SQLite-based engine comes across on the first start (and again if a run
  // stopped half way): the server does not serve an empty database in its place.
  try {
    if (options.migrateOldData ?? true) await migrateSqliteData({ dataDir, ferretdbBin, targetUri: uri, log });
  } catch (err) {
    await engine.stop();
    log.error({ err }, 'migration of the earlier engine’s data failed');
    throw new EngineUnavailableError(
      `The data of the earlier embedded engine (${path.join(dataDir, 'ferretdb')}) could not be migrated: ` +
        `${(err as Error).message}\nIts files are untouched. Run \`npm run db:migrate\` to try again.`,
    );
  }
  return engine;
}

/** An engine left running by a server that was killed: stop it before starting a new one. */
async function reapOrphan(dataDir: string, log: Logger): Promise<void> {
  let previous: Partial<PidFile>;
  try {
    previous = JSON.parse(await readFile(path.join(dataDir, 'engine.pid'), 'utf8')) as Partial<PidFile>;
  } catch {
    return;
  }
  if (previous.serverPid && previous.serverPid !== process.pid && isAlive(previous.serverPid)) {
    throw new EngineUnavailableError(
      `Another Loopline server (pid ${previous.serverPid}) is using DATA_DIR=${dataDir}. ` +
        'Stop it, or give this one its own DATA_DIR; several servers share one database through MONGODB_URI.',
    );
  }
  for (const pid of [previous.ferretdbPid, previous.postgresPid]) {
    if (!pid || !isAlive(pid)) continue;
    log.warn({ pid }, 'stopping a database engine process left behind by an earlier run');
    await killLeftover(pid);
  }
  await rm(path.join(dataDir, 'engine.pid'), { force: true });
}
