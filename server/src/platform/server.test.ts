import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { httpRequest, testConfig } from '../../test/helpers';
import { createLogger } from './logger';
import { startServer, type RunningServer } from '../server';

const running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** A server on its own embedded engine in a fresh DATA_DIR (no MONGODB_URI). */
async function startEmbedded(dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopline-srv-'))) {
  const config = { ...testConfig(), mongodbUri: undefined, dataDir, shutdownTimeoutMs: 2_000 };
  const server = await startServer(config, { log: createLogger('silent') });
  running.push(server);
  return { server, dataDir };
}

async function waitFor(check: () => Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A process that still runs (a zombie waiting for its parent to reap it has ended). */
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('embedded database', () => {
  it('starts its own engine, turns unready when it dies and ready again once restarted', async () => {
    const { server } = await startEmbedded();
    expect(server.engine?.kind).toBe('ferretdb-postgresql');
    await waitFor(async () => (await httpRequest(server.url, 'GET', '/readyz')).status === 200, 'the first answered read');

    await server.engine!.crashForTest();
    const down = await httpRequest(server.url, 'GET', '/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'unavailable', database: 'down' });
    expect((await httpRequest(server.url, 'GET', '/healthz')).status).toBe(200);

    await waitFor(async () => (await httpRequest(server.url, 'GET', '/readyz')).status === 200, 'the engine to come back');
    // The driver reconnected to the restarted engine: writes work again.
    await mongoose.connection.db!.collection('probe').insertOne({ after: 'restart' });
  });

  it('keeps data across a server restart', async () => {
    const first = await startEmbedded();
    await mongoose.connection.db!.collection('kept').insertOne({ name: 'survives' });
    await first.server.close();
    running.splice(running.indexOf(first.server), 1);

    await startEmbedded(first.dataDir);
    const doc = await mongoose.connection.db!.collection('kept').findOne({ name: 'survives' });
    expect(doc?.name).toBe('survives');
  });

  it('uses MONGODB_URI when given and starts no engine of its own', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopline-uri-'));
    const server = await startServer({ ...testConfig(), dataDir }, { log: createLogger('silent') });
    running.push(server);
    expect(server.engine).toBeUndefined();
    expect(existsSync(path.join(dataDir, 'engine.pid'))).toBe(false);
    expect((await httpRequest(server.url, 'GET', '/readyz')).status).toBe(200);
  });

  it('stops an engine left behind by a killed server before starting', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopline-orphan-'));
    const { child, url } = await spawnServer(dataDir);
    expect((await httpRequest(url, 'GET', '/readyz')).status).toBe(200);
    const { ferretdbPid, postgresPid } = JSON.parse(readFileSync(path.join(dataDir, 'engine.pid'), 'utf8'));
    // The server dies without a chance to stop its engine: both engine processes are left behind.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(isAlive(ferretdbPid) && isAlive(postgresPid)).toBe(true);

    await startEmbedded(dataDir);
    expect(isAlive(ferretdbPid)).toBe(false);
    expect(isAlive(postgresPid)).toBe(false);
    await mongoose.connection.db!.collection('after_orphan').insertOne({ ok: true });
  }, 180_000);
});

/** `npm start`'s entry point as a child process on its own DATA_DIR; resolves once it listens. */
async function spawnServer(dataDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, FERRETDB_BIN: inject('ferretdbBin'), LOG_LEVEL: 'warn', MONGODB_URI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await waitFor(async () => /running at (http:\/\/\S+)/.test(out), 'the server to start', 90_000);
  const url = /running at (http:\/\/\S+)/.exec(out)![1]!;
  return { child, url, output: () => out };
}

describe('graceful shutdown', () => {
  it('finishes a request in flight, then refuses new connections', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const config = testConfig();
    const server = await startServer(config, {
      log: createLogger('silent'),
      extendApp: (app) =>
        app.use(async (ctx, next) => {
          if (ctx.path !== '/slow') return next();
          await gate;
          ctx.body = { done: true };
        }),
    });
    const inFlight = httpRequest(server.url, 'GET', '/slow');
    await sleep(100);
    const closed = server.close();
    await sleep(100);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    release();
    expect((await inFlight).body).toEqual({ done: true });
    await closed;
  });

  it('cuts requests that outlive the grace period', async () => {
    const config = { ...testConfig(), shutdownTimeoutMs: 300 };
    const server = await startServer(config, {
      log: createLogger('silent'),
      extendApp: (app) =>
        app.use(async (ctx, next) => {
          if (ctx.path !== '/stuck') return next();
          await new Promise(() => undefined);
        }),
    });
    const stuck = fetch(`${server.url}/stuck`).then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(100);
    await server.close();
    expect(await stuck).toBe('cut');
  });
});

describe('the server process', () => {
  it('stops itself and its engine on SIGTERM with exit code 0', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopline-proc-'));
    const { child, url } = await spawnServer(dataDir);
    expect((await httpRequest(url, 'GET', '/readyz')).status).toBe(200);
    const { ferretdbPid, postgresPid } = JSON.parse(readFileSync(path.join(dataDir, 'engine.pid'), 'utf8'));

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(isAlive(ferretdbPid)).toBe(false);
    expect(isAlive(postgresPid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'engine.pid'))).toBe(false);
  }, 180_000);

  it('ends itself and both engine processes in time on SIGTERM while the engine is frozen', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopline-frozen-'));
    const shutdownTimeoutMs = 2_000;
    const { child, url } = await spawnServer(dataDir, { SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs) });
    expect((await httpRequest(url, 'GET', '/readyz')).status).toBe(200);
    const { ferretdbPid, postgresPid } = JSON.parse(readFileSync(path.join(dataDir, 'engine.pid'), 'utf8'));
    process.kill(-ferretdbPid, 'SIGSTOP');
    process.kill(-postgresPid, 'SIGSTOP');
    // Requests now hang inside the frozen engine; one is in flight when the stop begins.
    const inFlight = httpRequest(url, 'GET', '/api/v1/campaigns').catch(() => undefined);
    await sleep(200);

    const started = Date.now();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const tookMs = Date.now() - started;
    await inFlight;
    expect(tookMs).toBeLessThan(shutdownTimeoutMs + 5_000);
    expect(isAlive(ferretdbPid)).toBe(false);
    expect(isAlive(postgresPid)).toBe(false);
  }, 180_000);

  it('refuses to start on a bad setting, naming it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      env: { ...process.env, PORT: 'eighty', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toMatch(/PORT must be a number/);
  });
});
