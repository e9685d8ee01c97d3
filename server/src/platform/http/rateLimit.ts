import type { Context, Middleware } from 'koa';
import mongoose, { Schema } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import { isDuplicateKey } from '../db/errors';
import { AppError } from './errors';

/**
 * Fixed-window counters in the database, so every server instance shares one limit.
 * One document per (limit, key, window); old windows are removed by sweepRateLimits.
 */
const counterSchema = new Schema(
  {
    _id: { type: String },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
counterSchema.index({ expiresAt: 1 });
export const RateLimitCounter = mongoose.model('RateLimitCounter', counterSchema, 'rate_limits');

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
  const _id = `${limit.name}:${key}:${windowStart}`;
  const expiresAt = new Date(windowStart + limit.windowMs);
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await RateLimitCounter.findOneAndUpdate(
        { _id },
        { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
        { upsert: true, new: true },
      ).lean();
      return (doc?.count ?? 0) <= limit.max;
    } catch (err) {
      // Two first hits raced on the upsert: the loser retries as an ordinary increment.
      if (!isDuplicateKey(err) || attempt >= 3) throw err;
    }
  }
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
  const { deletedCount } = await RateLimitCounter.deleteMany({ expiresAt: { $lte: now } });
  return deletedCount;
}
