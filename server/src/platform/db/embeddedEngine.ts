import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger';
import { database as databaseMetrics } from '../metrics';
import { EngineUnavailableError, ensureFerretdb, isExecutable, onPath } from './ferretdbBinary';

export interface EmbeddedEngineOptions {
  /** Directory that holds the engine's data, state and pid file. */
  dataDir: string;
  mongodBin?: string;
  ferretdbBin?: string;
  log: Logger;
}

export interface EmbeddedEngine {
  readonly kind: 'mongod' | 'ferretdb';
  /** mongodb:// URI of the engine without a database name. */
  readonly uri: string;
  readonly port: number;
  /** True while the engine process is up. */
  isRunning(): boolean;
  /** Kills the engine process as a crash would, resolving once it is gone (tests of supervision). */
  crashForTest(): Promise<void>;
  stop(): Promise<void>;
}

interface PidFile {
  serverPid: number;
  enginePid: number;
}

const STOP_GRACE_MS = 5_000;
const MAX_RESTART_DELAY_MS = 5_000;

/**
 * Starts and supervises the embedded database: `mongod` when one is on PATH (or MONGOD_BIN),
 * otherwise FerretDB with its SQLite backend. If the process dies it is restarted on the same port,
 * so the server's connection string stays valid and the driver reconnects by itself.
 */
export async function startEmbeddedEngine(options: EmbeddedEngineOptions): Promise<EmbeddedEngine> {
  const { log } = options;
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  await reapOrphan(dataDir, log);

  const mongod = options.mongodBin ?? (await onPath('mongod'));
  if (options.mongodBin && !(await isExecutable(options.mongodBin))) {
    throw new EngineUnavailableError(`MONGOD_BIN=${options.mongodBin} is not an executable file.`);
  }
  const kind: EmbeddedEngine['kind'] = mongod ? 'mongod' : 'ferretdb';
  const bin = mongod ?? (await ensureFerretdb({ explicitBin: options.ferretdbBin }));
  const port = await freeLoopbackPort();
  const args = await engineArgs(kind, dataDir, port);

  let child: ChildProcess | undefined;
  /** Set once the current process has opened its port, cleared when it exits. */
  let up = false;
  let stopping = false;
  let restarts = 0;

  const launch = async (): Promise<void> => {
    // Its own process group: a signal meant for the server's group (Ctrl-C, a supervisor) must not
    // reach the engine directly; the server stops it after the requests in flight are done.
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    forwardOutput(proc, log);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.once('exit', (code, signal) => {
      if (child === proc) {
        child = undefined;
        up = false;
      }
      if (stopping) return;
      log.error({ engine: kind, code, signal }, 'database engine exited unexpectedly; restarting it');
      void restart();
    });
    await Promise.race([
      waitForPort(port, 30_000),
      exited.then(() => {
        throw new EngineUnavailableError(`The ${kind} engine exited during start; see the log above.`);
      }),
    ]);
    up = child === proc;
    await writeFile(
      path.join(dataDir, 'engine.pid'),
      JSON.stringify({ serverPid: process.pid, enginePid: proc.pid ?? -1 } satisfies PidFile),
    );
  };

  const restart = async (): Promise<void> => {
    while (!stopping) {
      const delay = Math.min(250 * 2 ** restarts, MAX_RESTART_DELAY_MS);
      restarts += 1;
      await sleep(delay);
      if (stopping) return;
      try {
        await launch();
        restarts = 0;
        databaseMetrics.engineRestarts.inc();
        log.warn({ engine: kind, port }, 'database engine restarted');
        return;
      } catch (err) {
        log.error({ err, engine: kind }, 'database engine restart failed; trying again');
      }
    }
  };

  // A crash of the server itself must not leave the engine behind.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  await launch();
  log.info({ engine: kind, port, dataDir }, 'embedded database started');

  return {
    kind,
    port,
    uri: `mongodb://127.0.0.1:${port}`,
    isRunning: () => up && child !== undefined && child.exitCode === null,
    crashForTest: async () => {
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      stopping = true;
      process.removeListener('exit', killOnExit);
      const proc = child;
      if (proc && proc.exitCode === null) {
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGTERM');
        const timedOut = await Promise.race([exited.then(() => false), sleep(STOP_GRACE_MS).then(() => true)]);
        if (timedOut) {
          proc.kill('SIGKILL');
          await exited;
        }
      }
      await rm(path.join(dataDir, 'engine.pid'), { force: true });
    },
  };
}

async function engineArgs(kind: EmbeddedEngine['kind'], dataDir: string, port: number) {
  if (kind === 'mongod') {
    const dbPath = path.join(dataDir, 'mongod');
    await mkdir(dbPath, { recursive: true });
    return ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'];
  }
  const sqliteDir = path.join(dataDir, 'ferretdb');
  const stateDir = path.join(dataDir, 'ferretdb-state');
  await mkdir(sqliteDir, { recursive: true });
  await mkdir(stateDir, { recursive: true });
  return [
    '--handler=sqlite',
    // Never `?mode=memory`: after a duplicate-key error that mode leaves the collection locked.
    `--sqlite-url=file:${sqliteDir}/`,
    `--listen-addr=127.0.0.1:${port}`,
    `--state-dir=${stateDir}`,
    '--debug-addr=-',
    '--telemetry=disable',
    // Warnings include every refused write (duplicate keys are how we hold invariants): too loud.
    '--log-level=error',
  ];
}

/** An engine left running by a server that was killed: stop it before starting a new one. */
async function reapOrphan(dataDir: string, log: Logger): Promise<void> {
  let previous: PidFile;
  try {
    previous = JSON.parse(await readFile(path.join(dataDir, 'engine.pid'), 'utf8')) as PidFile;
  } catch {
    return;
  }
  if (previous.serverPid !== process.pid && isAlive(previous.serverPid)) {
    throw new EngineUnavailableError(
      `Another Loopline server (pid ${previous.serverPid}) is using DATA_DIR=${dataDir}. ` +
        'Stop it, or give this one its own DATA_DIR; several servers share one database through MONGODB_URI.',
    );
  }
  if (isAlive(previous.enginePid)) {
    log.warn({ pid: previous.enginePid }, 'stopping a database engine left behind by an earlier run');
    process.kill(previous.enginePid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(previous.enginePid); i++) await sleep(100);
  }
  await rm(path.join(dataDir, 'engine.pid'), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function forwardOutput(proc: ChildProcess, log: Logger): void {
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) log.warn({ engineOutput: line.slice(0, 500) }, 'database engine');
    }
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new EngineUnavailableError(`The database engine did not open port ${port} within ${timeoutMs / 1000} s.`);
}
