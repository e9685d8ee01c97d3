import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { SESSION_TTL_DAYS } from '@shared/api/auth';
import { resolveCustomer } from '../customers';
import type { WechatPlatform } from '../wechat/platform';
import { grantAdmin } from '../staff';
import { Session } from './model';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IssuedSession {
  token: string;
  expiresAt: Date;
}

/** A new bearer token (256 random bits) for the customer; only its hash is kept. */
export async function issueSession(customerId: Types.ObjectId, now = new Date()): Promise<IssuedSession> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_DAYS * 86_400_000);
  await Session.create({ _id: hashToken(token), customerId, expiresAt, createdAt: now });
  return { token, expiresAt };
}

/** Sessions for many customers in one write (imports, load tests). */
export async function issueSessions(customerIds: Types.ObjectId[], now = new Date()): Promise<IssuedSession[]> {
  const expiresAt = new Date(now.getTime() + SESSION_TTL_DAYS * 86_400_000);
  const tokens = customerIds.map(() => randomBytes(32).toString('base64url'));
  await Session.insertMany(customerIds.map((customerId, i) => ({ _id: hashToken(tokens[i]!), customerId, expiresAt, createdAt: now })));
  return tokens.map((token) => ({ token, expiresAt }));
}

/**
 * A session read is shared by the requests of that token that arrive within this time of its start
 * (a page's burst of calls, a double tap): a session revoked on another instance is refused there
 * within this time, well inside a second; on the instance that revokes it, at once.
 */
export const SESSION_READ_SHARED_MS = 500;
const SHARED_READS_MAX = 10_000;

type SessionRead = { startedAt: number; read: Promise<{ customerId: Types.ObjectId; expiresAt: Date } | null> };
const sharedReads = new Map<string, SessionRead>();

function readSession(id: string): SessionRead['read'] {
  const now = Date.now();
  const shared = sharedReads.get(id);
  if (shared && now - shared.startedAt < SESSION_READ_SHARED_MS) return shared.read;
  if (sharedReads.size >= SHARED_READS_MAX) {
    for (const [key, entry] of sharedReads) if (now - entry.startedAt >= SESSION_READ_SHARED_MS) sharedReads.delete(key);
    if (sharedReads.size >= SHARED_READS_MAX) sharedReads.delete(sharedReads.keys().next().value!);
  }
  const read = Session.findById(id, { customerId: 1, expiresAt: 1 }).lean<{ customerId: Types.ObjectId; expiresAt: Date }>().exec();
  const entry = { startedAt: now, read };
  sharedReads.set(id, entry);
  read.catch(() => {
    if (sharedReads.get(id) === entry) sharedReads.delete(id);
  });
  return read;
}

/** Drops this instance's shared session reads of a customer (their sessions were revoked or moved). */
export function forgetSessionReadsOf(customerId: Types.ObjectId): void {
  for (const [id, entry] of sharedReads) {
    void entry.read.then(
      (s) => {
        if (s?.customerId.equals(customerId) && sharedReads.get(id) === entry) sharedReads.delete(id);
      },
      () => undefined,
    );
  }
}

/**
 * The customer a live token belongs to, or undefined: one read by _id (shared by the token's
 * requests within SESSION_READ_SHARED_MS), so a revoked session is refused within that time on every
 * instance. The session is all it takes: erasing a person revokes their sessions, and joining two
 * records moves the sessions onto the joined one.
 */
export async function authenticate(token: string, now = new Date()): Promise<Types.ObjectId | undefined> {
  if (!token || token.length > 200) return undefined;
  const session = await readSession(hashToken(token));
  return session && session.expiresAt > now ? session.customerId : undefined;
}

export async function revokeSession(token: string): Promise<void> {
  await Session.deleteOne({ _id: hashToken(token) });
  sharedReads.delete(hashToken(token));
}

export async function revokeAllSessions(customerId: Types.ObjectId): Promise<number> {
  const { deletedCount } = await Session.deleteMany({ customerId });
  forgetSessionReadsOf(customerId);
  return deletedCount;
}

export async function sweepExpiredSessions(now = new Date()): Promise<number> {
  const { deletedCount } = await Session.deleteMany({ expiresAt: { $lte: now } });
  return deletedCount;
}

export interface LoginOptions {
  wechat: WechatPlatform;
  adminOpenids: string[];
  /** Called with the openid before anything is written; throws to refuse (e.g. a rate limit). */
  admitOpenid?: (openid: string) => Promise<void>;
}

/**
 * Exchanges a wx.login code for a session. The platform's session_key is dropped here: nothing in
 * the product decrypts wx.getUserInfo data (phone numbers come through getPhoneNumber codes).
 */
export async function loginWithCode(code: string, options: LoginOptions): Promise<IssuedSession & { customerId: Types.ObjectId }> {
  const { openid, unionid } = await options.wechat.miniProgram.code2Session(code);
  await options.admitOpenid?.(openid);
  const customerId = await resolveCustomer({ app: 'mini_program', openid, unionid });
  if (options.adminOpenids.includes(openid)) await grantAdmin(customerId);
  const session = await issueSession(customerId);
  return { ...session, customerId };
}
