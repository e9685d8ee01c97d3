// Several real server processes on one database, behind a small round-robin proxy: for the tests
// that prove nothing relies on one process's memory. Everything listens on 127.0.0.1 only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeBody, encodeRequest, httpRequest, type RequestOptions, type TestResponse } from './helpers';

export interface Instance {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** Everything the process printed, for diagnosis. */
  readonly output: string[];
  /** Starts the process (with `env` changed by `overrides`, if given) and resolves once /readyz answers 200. */
  start(overrides?: Record<string, string | undefined>): Promise<void>;
  /** SIGTERM, then the exit code (SIGKILL after the limit). */
  stop(limitMs?: number): Promise<number | null>;
  readonly running: boolean;
}

/** Builds the compiled server (as `npm run build:server` does) into a scratch folder of the package; returns its main.js. */
export function buildCompiledServer(): { main: string; remove: () => Promise<void> } {
  const dir = path.join(process.cwd(), '.cache', `server-build-${process.pid}-${randomUUID().slice(0, 8)}`);
  execFileSync(process.execPath, ['scripts/buildServer.mjs', dir], { cwd: process.cwd(), stdio: 'pipe' });
  return { main: path.join(dir, 'main.js'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** One server process (`node <main>`, e.g. the compiled build) on a fixed loopback port. */
export function serverProcess(name: string, port: number, main: string, env: Record<string, string>): Instance {
  let proc: ChildProcess | undefined;
  const output: string[] = [];
  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    port,
    url,
    output,
    get running() {
      return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
    },
    async start(overrides = {}) {
      const child = spawn(process.execPath, ['--enable-source-maps', main], {
        cwd: process.cwd(),
        env: { ...process.env, ...env, ...overrides, PORT: String(port), HOST: '127.0.0.1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc = child;
      const keep = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      const from = output.length;
      // Generous: on a busy two-core machine a cold start can take tens of seconds.
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${name} exited during start:\n${output.slice(from).slice(-20).join('\n')}`);
        const ready = await httpRequest(url, 'GET', '/readyz').then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready) return;
        await sleep(100);
      }
      throw new Error(`${name} was not ready within 120 s:\n${output.slice(from).slice(-20).join('\n')}`);
    },
    async stop(limitMs = 15_000) {
      const child = proc;
      if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface ProxyStats {
  /** Responses passed on, by backend port. */
  byBackend: Map<number, number>;
  /** Requests moved to the next backend because a connection was refused. */
  failovers: number;
  /** Requests the proxy itself failed with 502 (a backend dropped a request it had been sent). */
  badGateway: number;
}

export interface RoundRobinProxy {
  url: string;
  stats: ProxyStats;
  close(): Promise<void>;
}

/**
 * A small load balancer: each request goes to the next backend in turn, on a fresh connection.
 * A refused connection (the backend is down) moves the request on to the next backend, as a load
 * balancer does for a request it has not delivered; any answer, 503 included, is passed on as it
 * is. The proxy gives each request an X-Request-Id unless it has one.
 */
export async function roundRobinProxy(backends: number[]): Promise<RoundRobinProxy> {
  const stats: ProxyStats = { byBackend: new Map(), failovers: 0, badGateway: 0 };
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = {
        ...req.headers,
        'x-request-id': (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
        'x-forwarded-for': '127.0.0.1',
        connection: 'close',
      };
      const first = next++ % backends.length;
      const attempt = (tries: number) => {
        const port = backends[(first + tries) % backends.length]!;
        const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers, agent: false }, (answer) => {
          stats.byBackend.set(port, (stats.byBackend.get(port) ?? 0) + 1);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ECONNREFUSED' && tries + 1 < backends.length) {
            stats.failovers += 1;
            attempt(tries + 1);
            return;
          }
          stats.badGateway += 1;
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
          res.end(`proxy: ${err.code ?? err.message}`);
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A request on a connection of its own (no keep-alive pool): a pooled connection that an instance
 * closes when idle, or when it stops, cannot be picked up for the next request.
 */
export function freshRequest(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
  const { headers, body } = encodeRequest(options);
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, baseUrl), { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') responseHeaders.set(k, v);
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: decodeBody(text), text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
