// The embedded PostgreSQL cluster under DATA_DIR: created once (initdb), started on a loopback port,
// reached with a password kept beside it. Running as root, PostgreSQL runs as the OS user `postgres`
// (created when missing), which owns the cluster's folder.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../logger';
import { EngineUnavailableError } from './ferretdbBinary';
import { postgresBinaries, type PostgresBinaries } from './postgresBinaries';
import { isAlive, killLeftover, startProcess, type Supervised } from './processes';

const run = promisify(execFile);

export const POSTGRES_OS_USER = 'postgres';
/** The cluster's superuser; FerretDB connects as it. */
export const POSTGRES_ROLE = 'loopline';
/** The PostgreSQL database FerretDB keeps every MongoDB database in (one schema each). */
export const FERRETDB_PG_DATABASE = 'ferretdb';

export interface OsUser {
  uid?: number;
  gid?: number;
}

export interface ClusterPaths {
  /** The cluster (PGDATA). */
  dir: string;
  /** The superuser's password, readable by the server only. */
  secretFile: string;
}

export function clusterPaths(dataDir: string): ClusterPaths {
  return { dir: path.join(dataDir, 'postgres'), secretFile: path.join(dataDir, 'postgres.secret') };
}

/** The OS user PostgreSQL runs as: ourselves, or `postgres` (created when missing) when we are root. */
export async function postgresOsUser(): Promise<OsUser> {
  if (process.getuid?.() !== 0) return {};
  const lookup = async (): Promise<OsUser> => {
    const [uid, gid] = await Promise.all([
      run('id', ['-u', POSTGRES_OS_USER]).then((r) => Number.parseInt(r.stdout, 10)),
      run('id', ['-g', POSTGRES_OS_USER]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await lookup();
  } catch {
    // PostgreSQL refuses to run as root: make the system user it runs as (no home, no shell).
    try {
      await run('groupadd', ['--system', POSTGRES_OS_USER]).catch(() => undefined);
      await run('useradd', ['--system', '-g', POSTGRES_OS_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', POSTGRES_OS_USER]);
      return await lookup();
    } catch (err) {
      throw new EngineUnavailableError(
        `Could not create the OS user "${POSTGRES_OS_USER}" that the embedded PostgreSQL runs as: ${(err as Error).message}`,
      );
    }
  }
}

/**
 * Creates the cluster once. initdb works in a sibling folder that is renamed into place only when
 * it has finished, so an interrupted first start never leaves half a cluster behind.
 */
export async function ensureCluster(paths: ClusterPaths, bins: PostgresBinaries, owner: OsUser, log: Logger): Promise<void> {
  if (owner.uid !== undefined) {
    // The OS user must be able to pass through DATA_DIR to reach its cluster (not to list it).
    const parent = path.dirname(paths.dir);
    const { mode } = await stat(parent);
    if ((mode & 0o001) === 0) await chmod(parent, (mode & 0o7777) | 0o001);
  }
  if (await hasCluster(paths.dir)) return;
  const partial = `${paths.dir}.init`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  const pwFile = path.join(path.dirname(paths.dir), `.postgres-init-${process.pid}`);
  await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  try {
    if (owner.uid !== undefined) {
      await chown(partial, owner.uid, owner.gid!);
      await chown(pwFile, owner.uid, owner.gid!);
    }
    await run(
      bins.initdb,
      [
        `--pgdata=${partial}`,
        `--username=${POSTGRES_ROLE}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      { ...owner, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 16 * 1024 * 1024 },
    ).catch((err: { stderr?: string; message: string }) => {
      throw new EngineUnavailableError(
        `initdb failed (the folder ${path.dirname(paths.dir)} and the PostgreSQL binaries must be reachable by the OS user ` +
          `"${POSTGRES_OS_USER}"): ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ')}`,
      );
    });
    await writeFile(paths.secretFile, password, { mode: 0o600 });
    await rename(partial, paths.dir);
    log.info({ dir: paths.dir }, 'created the embedded PostgreSQL cluster');
  } finally {
    await rm(pwFile, { force: true });
  }
}

async function hasCluster(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).includes('PG_VERSION');
  } catch {
    return false;
  }
}

export async function readPassword(paths: ClusterPaths): Promise<string> {
  try {
    return (await readFile(paths.secretFile, 'utf8')).trim();
  } catch {
    throw new EngineUnavailableError(
      `The embedded PostgreSQL's password file ${paths.secretFile} is missing; restore it, or move ${paths.dir} away to start a new cluster.`,
    );
  }
}

/** What PostgreSQL says to our readiness polls while it starts or recovers. */
const STARTUP_CHATTER =
  /the database system is (starting up|not yet accepting connections)|Consistent recovery state has not been yet reached/;

export interface PostgresStartOptions {
  paths: ClusterPaths;
  port: number;
  owner: OsUser;
  bins: PostgresBinaries;
  /** false on scratch data (tests): no fsync. */
  durable: boolean;
  log: Logger;
}

/** Starts the postmaster and resolves once it accepts queries. */
export async function startPostgres(options: PostgresStartOptions): Promise<Supervised> {
  const { paths, port, owner, bins, log } = options;
  await reapStalePostmaster(paths.dir, log);
  // The folder may have been copied or restored by root: PostgreSQL wants it as its own, mode 0700.
  if (owner.uid !== undefined) await chown(paths.dir, owner.uid, owner.gid!);
  await chmod(paths.dir, 0o700);
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '100',
    // Errors are answers to our clients (a duplicate key is how invariants hold): not log lines.
    log_min_messages: 'fatal',
    log_min_error_statement: 'panic',
    ...(options.durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  };
  const args = ['-D', paths.dir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const proc = startProcess('postgres', bins.postgres, args, { ...owner, env: { ...process.env, LC_ALL: 'C' } }, log, STARTUP_CHATTER);
  const password = await readPassword(paths);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!proc.isAlive()) {
      throw new EngineUnavailableError('The embedded PostgreSQL exited during start; see the log above.');
    }
    try {
      await query({ port, password, database: 'postgres' }, 'SELECT 1');
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        await proc.kill();
        throw new EngineUnavailableError(`The embedded PostgreSQL did not accept connections within 60 s: ${(err as Error).message}`);
      }
      await sleep(100);
    }
  }
  await ensureDatabase({ port, password }, FERRETDB_PG_DATABASE);
  return proc;
}

export interface PgTarget {
  port: number;
  password: string;
  database?: string;
}

export function pgClient(target: PgTarget): pg.Client {
  return new pg.Client({
    host: '127.0.0.1',
    port: target.port,
    user: POSTGRES_ROLE,
    password: target.password,
    database: target.database ?? FERRETDB_PG_DATABASE,
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
  });
}

async function query(target: PgTarget, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = pgClient(target);
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(target: PgTarget, name: string): Promise<void> {
  const found = await query({ ...target, database: 'postgres' }, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (found.rowCount) return;
  try {
    await query({ ...target, database: 'postgres' }, `CREATE DATABASE "${name}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // created meanwhile
  }
}

/** A postmaster left running by a server that was killed holds the cluster's lock: stop it. */
async function reapStalePostmaster(dir: string, log: Logger): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(path.join(dir, 'postmaster.pid'), 'utf8')).split('\n')[0]!, 10);
  } catch {
    return;
  }
  if (!isAlive(pid) || !(await isPostgresProcess(pid))) return;
  log.warn({ pid }, 'stopping an embedded PostgreSQL left behind by an earlier run');
  await killLeftover(pid);
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes('postgres');
  } catch {
    return false;
  }
}

export { postgresBinaries };
