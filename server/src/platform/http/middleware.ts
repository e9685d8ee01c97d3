import { randomUUID } from 'node:crypto';
import type { Context, Middleware, Next } from 'koa';
import getRawBody from 'raw-body';
import type { ZodType } from 'zod';
import { ErrorCode } from '@shared/errors';
import { logContext, type Logger } from '../logger';
import { AppError, DomainError, toHttpError, validationError } from './errors';

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    log: Logger;
  }
  interface Request {
    body?: unknown;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Gives each request an id (kept from `X-Request-Id` when sane), a child logger, and one log line. */
export function requestContext(logger: Logger): Middleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    // The id reaches every line logged in this request's async context (see logContext), so the
    // request's logger needs no binding of its own.
    ctx.state.log = logger;
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    await logContext.run({ requestId }, async () => {
      try {
        await next();
      } finally {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Path only: query strings can carry signatures and codes.
        ctx.state.log.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'request');
      }
    });
  };
}

/** Retry-After of a 429 whose limit did not say when its window ends. */
export const DEFAULT_RETRY_AFTER_S = 60;

/** Turns every failure into the contract's JSON error shape. Internals never reach the client. */
export function errorHandler(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(404, ErrorCode.NOT_FOUND, `No route for ${ctx.method} ${ctx.path}.`);
      }
    } catch (err) {
      const appError = toAppError(err);
      if (appError.status >= 500) {
        ctx.state.log?.error({ err }, 'request failed');
      }
      ctx.status = appError.status;
      // Every 429 says when to come back; a 503 does when the error knows.
      const retryAfterS = appError.retryAfterS ?? (appError.status === 429 ? DEFAULT_RETRY_AFTER_S : undefined);
      if (retryAfterS !== undefined) ctx.set('Retry-After', String(Math.max(1, Math.ceil(retryAfterS))));
      ctx.body = {
        error: {
          code: appError.code,
          message: appError.message,
          ...(appError.fields ? { fields: appError.fields } : {}),
        },
      };
    }
  };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError || err instanceof DomainError) return toHttpError(err);
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (status === 413 || e?.type === 'entity.too.large') {
    return new AppError(413, ErrorCode.PAYLOAD_TOO_LARGE, 'The request body is too large.');
  }
  if (
    /^Mongo(ose)?(ServerSelection|Network|NotConnected|Timeout)/.test((err as Error)?.name ?? '') ||
    /buffering timed out/.test(e?.message ?? '')
  ) {
    return new AppError(503, ErrorCode.SERVICE_UNAVAILABLE, 'The service is briefly unavailable. Please try again.');
  }
  if (status === 405) return new AppError(405, ErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed.');
  if (status === 400 && e?.type === 'request.aborted') {
    return new AppError(400, ErrorCode.VALIDATION_FAILED, 'The request was aborted.');
  }
  if (status && status >= 400 && status < 500 && e.expose) {
    return new AppError(status, ErrorCode.VALIDATION_FAILED, e.message ?? 'Bad request.');
  }
  return new AppError(500, ErrorCode.INTERNAL, 'Something went wrong on our side. Please try again.');
}

export interface BodyOptions {
  /** Largest accepted body in bytes. */
  limit: number;
}

/** Reads the raw body up to a limit; a larger one is refused with 413 before it is buffered. */
export async function readRawBody(ctx: Context, limit: number): Promise<Buffer> {
  return getRawBody(ctx.req, { limit, length: ctx.get('content-length') || undefined });
}

/** Parses a JSON body (bounded) into ctx.request.body; malformed JSON is a 400, other types a 415. */
export function jsonBody({ limit }: BodyOptions): Middleware {
  return async (ctx: Context, next: Next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
    const length = Number(ctx.get('content-length') || 0);
    const chunked = Boolean(ctx.get('transfer-encoding'));
    if (!length && !chunked) {
      ctx.request.body = undefined;
      return next();
    }
    if (!ctx.is('application/json')) {
      throw new AppError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send the body as application/json.');
    }
    const raw = await readRawBody(ctx, limit);
    try {
      ctx.request.body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      throw new AppError(400, ErrorCode.INVALID_JSON, 'The request body is not valid JSON.');
    }
    return next();
  };
}

/** Validates a value with a zod schema, throwing the contract's 400 with field paths. */
export function parseWith<T>(schema: ZodType<T>, value: unknown, where = 'body'): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}
