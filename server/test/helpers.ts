// Test helpers: a database of the test file's own on the run's engine, and the real HTTP server on
// an ephemeral port.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { startServer, type RunningServer } from '../src/server';

/** A fresh database URI on the shared test engine. */
export function testDatabaseUri(): string {
  return `${inject('mongoUri')}/t_${randomBytes(6).toString('hex')}`;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    MONGODB_URI: testDatabaseUri(),
    FERRETDB_BIN: inject('ferretdbBin'),
    ...env,
  });
}

export interface TestApp extends RunningServer {
  config: Config;
  /** fetch against the app, with JSON in and out. */
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /** Sent as it is instead of JSON.stringify(body). */
  raw?: string | Buffer;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** Starts the real server (its own database unless the env says otherwise). Close it in afterAll. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(env);
  const server = await startServer(config, { log: createLogger(config.logLevel) });
  const request = (method: string, path: string, options: RequestOptions = {}) => httpRequest(server.url, method, path, options);
  return Object.assign(server, { config, request });
}

export async function httpRequest(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<TestResponse> {
  const { headers, body } = encodeRequest(options);
  const res = await fetch(baseUrl + path, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: decodeBody(text), text };
}

/** Headers and body of a test request: JSON unless raw, with the bearer token. */
export function encodeRequest(options: RequestOptions): { headers: Record<string, string>; body: string | Buffer | undefined } {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return { headers, body };
}

/** A response body as JSON when it is JSON, else the text. */
export function decodeBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
