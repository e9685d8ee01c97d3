import type { Context, Middleware } from 'koa';
import mongoose, { Schema } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import { isDuplicateKey } from '../db/errors';
import { AppError } from './errors';

/**
 * Fixed windows counted in the database, so every server instance shares one limit. Each request let
 * through takes a numbered place in its window (`<window>:<n>` as the _id, n from 1 to max): the
 * unique _id gives each place to exactly one request on every engine, where an `$inc` counter loses
 * increments under concurrency on the embedded one, and ranking hits by ObjectId is not safe either
 * (ids are assigned before the inserts land). Finished windows are removed by sweepRateLimits.
 */
const hitSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** `<limit name>:<key>:<window start>` */
    window: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
hitSchema.index({ window: 1 });
hitSchema.index({ expiresAt: 1 });
export const RateLimitHit = mongoose.model('RateLimitHit', hitSchema, 'rate_limit_hits');

export interface RateLimit {
  /** Names the limit, e.g. `login-ip`. */
  name: string;
  /** Requests allowed per window and key. */
  max: number;
  windowMs: number;
}

/** Counts one hit; true while the key is within its limit for the current window. */
export async function hitRateLimit(limit: RateLimit, key: string, now = new Date()): Promise<boolean> {
  const windowStart = Math.floor(now.getTime() / limit.windowMs) * limit.windowMs;
  const window = `${limit.name}:${key}:${windowStart}`;
  const expiresAt = new Date(windowStart + limit.windowMs);
  // Places are taken in order, so the count says where the free ones start; a place taken by a
  // racing request sends us to the next one, and past `max` there is none.
  for (let place = (await RateLimitHit.countDocuments({ window })) + 1; place <= limit.max; place++) {
    try {
      await RateLimitHit.create({ _id: `${window}:${place}`, window, expiresAt });
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return false;
}

/** A 429 telling the client how long to wait (Retry-After, in seconds). */
export function rateLimited(message = 'Too many requests. Please wait a moment and try again.', retryAfterS?: number): AppError {
  return new AppError(429, ErrorCode.RATE_LIMITED, message, undefined, retryAfterS);
}

/** Seconds until the window that `now` falls in ends. */
export function secondsLeftInWindow(limit: RateLimit, now = new Date()): number {
  const windowEnd = (Math.floor(now.getTime() / limit.windowMs) + 1) * limit.windowMs;
  return Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000));
}

/** Counts one hit under the key; past the limit, throws a 429 whose Retry-After is the end of the window. */
export async function enforceRateLimit(limit: RateLimit, key: string, message?: string): Promise<void> {
  const now = new Date();
  if (!(await hitRateLimit(limit, key, now))) throw rateLimited(message, secondsLeftInWindow(limit, now));
}

/** Koa middleware: one hit per request under each key the function returns (e.g. IP). */
export function rateLimit(limit: RateLimit, keyOf: (ctx: Context) => string | undefined): Middleware {
  return async (ctx, next) => {
    const key = keyOf(ctx);
    if (key !== undefined) await enforceRateLimit(limit, key);
    await next();
  };
}

export async function sweepRateLimits(now = new Date()): Promise<number> {
  const { deletedCount } = await RateLimitHit.deleteMany({ expiresAt: { $lte: now } });
  return deletedCount;
}
