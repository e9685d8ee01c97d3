import type { Context, Middleware } from 'koa';
import mongoose, { Schema } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import { AppError } from './errors';

/**
 * Fixed windows counted in the database, so every server instance shares one limit. Each hit is its
 * own small document and the limit counts them: an insert is atomic on every engine, where an
 * `$inc` counter can lose increments under concurrency on the embedded one. Finished windows are
 * removed by sweepRateLimits.
 */
const hitSchema = new Schema(
  {
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
  const hit = await RateLimitHit.create({ window, expiresAt: new Date(windowStart + limit.windowMs) });
  // A hit's rank is the number of hits of its window up to and including itself (ObjectIds grow
  // with time), so in a burst exactly the first `max` pass, however the requests interleave.
  return (await RateLimitHit.countDocuments({ window, _id: { $lte: hit._id } })) <= limit.max;
}

export function rateLimited(message = 'Too many requests. Please wait a moment and try again.'): AppError {
  return new AppError(429, ErrorCode.RATE_LIMITED, message);
}

/** Koa middleware: one hit per request under each key the function returns (e.g. IP). */
export function rateLimit(limit: RateLimit, keyOf: (ctx: Context) => string | undefined): Middleware {
  return async (ctx, next) => {
    const key = keyOf(ctx);
    if (key !== undefined && !(await hitRateLimit(limit, key))) {
      ctx.set('Retry-After', String(Math.ceil(limit.windowMs / 1000)));
      throw rateLimited();
    }
    await next();
  };
}

export async function sweepRateLimits(now = new Date()): Promise<number> {
  const { deletedCount } = await RateLimitHit.deleteMany({ expiresAt: { $lte: now } });
  return deletedCount;
}
