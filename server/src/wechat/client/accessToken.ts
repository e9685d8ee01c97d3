import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from '../../platform/db/errors';
import { releaseLease, tryAcquireLease } from '../../platform/jobs/lease';
import { WechatTransportError } from '../platform';

/**
 * One access token per appid, shared by every server instance through the database. Instances
 * never fetch on their own: the holder of the appid's lease fetches, the others read what it stored.
 */
const accessTokenSchema = new Schema(
  {
    _id: { type: String }, // the appid
    token: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    fetchedAt: { type: Date, required: true },
    /** Set when a call was refused with this token: the next fetch asks the platform for a new one. */
    forceRefresh: { type: Boolean, default: false },
  },
  { versionKey: false },
);
export const WechatAccessToken = mongoose.model('WechatAccessToken', accessTokenSchema, 'wechat_access_tokens');

export interface FetchedToken {
  token: string;
  expiresInSeconds: number;
}

export interface AccessTokenSettings {
  appId: string;
  /** Asks the platform for a token; forceRefresh when the current one was refused. */
  fetch: (forceRefresh: boolean) => Promise<FetchedToken>;
  /** Refresh this long before expiry (the platform issues a new token in the last 5 minutes). */
  refreshMarginMs?: number;
  /** How long one fetch may hold the lease; a crashed holder is replaced after it. */
  leaseMs?: number;
  /** How often a waiting instance looks for the token another one is fetching. */
  pollMs?: number;
}

/** A token is not used in its last seconds: a call takes time to reach the platform. */
const EXPIRY_SKEW_MS = 30_000;

export class SharedAccessToken {
  private readonly refreshMarginMs: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  /** Calls in this process waiting for the same token share one wait (an optimisation only). */
  private pending: Promise<string> | undefined;

  constructor(private readonly settings: AccessTokenSettings) {
    this.refreshMarginMs = settings.refreshMarginMs ?? 5 * 60_000;
    this.leaseMs = settings.leaseMs ?? 30_000;
    this.pollMs = settings.pollMs ?? 50;
  }

  private get leaseName() {
    return `wechat-token:${this.settings.appId}`;
  }

  /** A valid token: the stored one, or a fresh one fetched by exactly one instance. */
  async get(): Promise<string> {
    const now = Date.now();
    const stored = await WechatAccessToken.findById(this.settings.appId).lean();
    if (stored && stored.expiresAt.getTime() > now) {
      if (stored.expiresAt.getTime() - now > this.refreshMarginMs) return stored.token;
      // Close to expiry: one instance refreshes; everyone else keeps using the still-valid token.
      const refreshed = await this.fetchIfLeaseFree(false);
      return refreshed ?? stored.token;
    }
    this.pending ??= this.waitForFreshToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Marks the token expired, but only if it is still the stored one (another instance may have replaced it). */
  async expire(failedToken: string): Promise<void> {
    await WechatAccessToken.updateOne(
      { _id: this.settings.appId, token: failedToken },
      { $set: { expiresAt: new Date(0), forceRefresh: true } },
    );
  }

  private async waitForFreshToken(): Promise<string> {
    const deadline = Date.now() + 2 * this.leaseMs;
    while (Date.now() < deadline) {
      const fetched = await this.fetchIfLeaseFree(true);
      if (fetched) return fetched;
      await sleep(this.pollMs);
      const stored = await WechatAccessToken.findById(this.settings.appId).lean();
      if (stored && stored.expiresAt.getTime() > Date.now()) return stored.token;
    }
    throw new WechatTransportError('access token', 'no access token became available', true);
  }

  /**
   * Fetches and stores a token when this call wins the lease. `onlyIfStale`: re-check after winning,
   * since the previous holder may have stored a fresh token a moment ago.
   */
  private async fetchIfLeaseFree(onlyIfStale: boolean): Promise<string | undefined> {
    const holder = randomUUID();
    if (!(await tryAcquireLease(this.leaseName, this.leaseMs, holder))) return undefined;
    try {
      const stored = await WechatAccessToken.findById(this.settings.appId).lean();
      const now = Date.now();
      if (onlyIfStale && stored && stored.expiresAt.getTime() > now) return stored.token;
      if (!onlyIfStale && stored && stored.expiresAt.getTime() - now > this.refreshMarginMs) return stored.token;
      const fetched = await this.settings.fetch(Boolean(stored?.forceRefresh));
      const fetchedAt = new Date();
      const lifetimeMs = Math.max(fetched.expiresInSeconds * 1000 - EXPIRY_SKEW_MS, 1_000);
      await this.store(fetched.token, fetchedAt, new Date(fetchedAt.getTime() + lifetimeMs));
      return fetched.token;
    } finally {
      await releaseLease(this.leaseName, holder).catch(() => undefined);
    }
  }

  private async store(token: string, fetchedAt: Date, expiresAt: Date): Promise<void> {
    const update = { $set: { token, fetchedAt, expiresAt, forceRefresh: false } };
    try {
      await WechatAccessToken.updateOne({ _id: this.settings.appId }, update, { upsert: true });
    } catch (err) {
      // Two first-ever upserts collided: the document exists now, so a plain update lands.
      if (!isDuplicateKey(err)) throw err;
      await WechatAccessToken.updateOne({ _id: this.settings.appId }, update);
    }
  }
}
