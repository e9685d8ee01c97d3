import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Middleware } from 'koa';
import { ErrorCode } from '@shared/errors';
import { AppError } from '../http/errors';
import { http as httpMetrics, registry } from './index';

declare module 'koa' {
  interface Context {
    /** The matched route pattern, set by @koa/router (`/api/v1/campaigns/:id/claim`). */
    _matchedRoute?: string | RegExp;
  }
}

/** Labels a request by its route pattern (never the raw path: ids would explode the series). */
function routeLabel(matched: string | RegExp | undefined, path: string): string {
  if (typeof matched === 'string') return matched;
  if (path.startsWith('/__wechat/')) return '/__wechat/*';
  return '(unmatched)';
}

/**
 * Counts every request by route pattern, status and latency. Goes right after the request context
 * and before the error handler, so it sees the final status of errors too.
 */
export function recordHttpMetrics(): Middleware {
  return async (ctx, next) => {
    const stop = httpMetrics.duration.startTimer();
    try {
      await next();
    } finally {
      const route = routeLabel(ctx._matchedRoute, ctx.path);
      const labels = { method: ctx.method, route };
      stop(labels);
      httpMetrics.requests.inc({ ...labels, status: String(ctx.status) });
      if (ctx.status >= 400) {
        const body = ctx.body as { error?: { code?: unknown } } | undefined;
        const code = typeof body?.error?.code === 'string' ? body.error.code : 'NONE';
        httpMetrics.errors.inc({ ...labels, class: ctx.status >= 500 ? '5xx' : '4xx', code });
      }
    }
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** True when the Authorization header carries the bearer token (compared in constant time). */
export function hasBearer(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  return Boolean(match) && timingSafeEqual(digest(match![1]!), digest(token));
}

export interface MetricsAccess {
  /** METRICS_TOKEN: /metrics on the main port answers only with this bearer token. */
  token: string | undefined;
}

/**
 * `GET /metrics` on the main port: served only when a token is configured, and only to callers
 * that present it. Without a token the route does not exist here (use the internal port).
 */
export function metricsRoute({ token }: MetricsAccess): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== '/metrics') return next();
    if (!token) return next(); // falls through to 404
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') throw new AppError(405, ErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed.');
    if (!hasBearer(ctx.get('authorization'), token)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError(401, ErrorCode.UNAUTHENTICATED, 'Metrics need the METRICS_TOKEN bearer token.');
    }
    ctx._matchedRoute = '/metrics';
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  };
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The internal metrics listener (METRICS_PORT): `/metrics` only, for a scraper on a private network
 * or the same host. It asks for the token too when one is set.
 */
export async function startMetricsServer(options: { port: number; host: string; token: string | undefined }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (options.token && !hasBearer(req.headers.authorization, options.token)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' }).end('unauthorized\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
