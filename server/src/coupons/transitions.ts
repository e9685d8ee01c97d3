import { setTimeout as sleep } from 'node:timers/promises';
import type { Types } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import { isDuplicateKey } from '../platform/db/errors';
import { conflict, notFound } from '../platform/errors';
import { Coupon, CouponTransition, type CouponDoc, type TransitionDoc } from './model';

// Every change of a coupon's state goes through here, and nothing else writes a coupon document.
//
// Why not a guarded findOneAndUpdate: the embedded engine (FerretDB 1.24 on SQLite) runs an update
// as "read, change in the server, write back" without a transaction, so two guarded updates can
// both match and both win. What every engine does hold is a unique key on insert. So a change of
// a coupon at version v first inserts the lock `<couponId>:v`; exactly one writer gets it, and only
// that writer then writes the document (bumping the version). Losers re-read and decide again.

export interface CouponChange {
  kind: string;
  set: Record<string, unknown>;
  unset?: string[];
}

/** Decides the change from the coupon as it is now, or throws the reason it is not allowed. */
export type Decide = (coupon: CouponDoc) => CouponChange;

/** A lock older than this whose change never landed was left by a writer that died: roll it forward. */
const ABANDONED_MS = 5_000;
const MAX_ATTEMPTS = 200;

export interface Transitioned {
  before: CouponDoc;
  after: CouponDoc;
}

/**
 * Changes a coupon through its version lock. `known` is the coupon as the caller just read it (saves
 * the first read); it is only a starting point: a stale copy loses the lock insert and is read again.
 */
export async function transitionCoupon(couponId: Types.ObjectId | string, decide: Decide, known?: CouponDoc): Promise<Transitioned> {
  let coupon: CouponDoc | null = known ?? null;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    coupon ??= await Coupon.findById(couponId).lean<CouponDoc>();
    if (!coupon) throw notFound('No such coupon.');
    const change = decide(coupon);
    const version = coupon.version ?? 0;
    const lockId = `${coupon._id.toString()}:${version}`;
    try {
      await CouponTransition.create({
        _id: lockId,
        couponId: coupon._id,
        customerId: coupon.customerId,
        kind: change.kind,
        fromVersion: version,
        set: change.set,
        unset: change.unset ?? [],
        at: new Date(),
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Someone else changed this version. Normally their write lands within milliseconds; until it
      // does, the lock says what the coupon becomes, and a change that the next state refuses (a
      // second redemption of a redeemed coupon) is refused now, without waiting for it.
      const [now, lock] = await Promise.all([
        Coupon.findById(couponId).lean<CouponDoc>(),
        CouponTransition.findById(lockId).lean<TransitionDoc>(),
      ]);
      coupon = now;
      if (!now || (now.version ?? 0) !== version || !lock) continue;
      decide(nextState(now, lock));
      if (Date.now() - lock.at.getTime() > ABANDONED_MS) await applyTransition(lock);
      else await sleep(5 + Math.random() * 10);
      coupon = null;
      continue;
    }
    await applyTransition({ _id: lockId, fromVersion: version, set: change.set, unset: change.unset ?? [] });
    return { before: coupon, after: nextState(coupon, { fromVersion: version, set: change.set, unset: change.unset ?? [] }) };
  }
  throw conflict(ErrorCode.CONFLICT, 'This coupon is changing too fast; please try again.');
}

/** The coupon once the change a lock records is written. */
function nextState(coupon: CouponDoc, lock: Pick<TransitionDoc, 'fromVersion' | 'set' | 'unset'>): CouponDoc {
  const after = { ...coupon, ...(lock.set as Record<string, unknown>), version: lock.fromVersion + 1 } as CouponDoc;
  for (const field of lock.unset ?? []) delete (after as Record<string, unknown>)[field];
  return after;
}

async function applyTransition(lock: Pick<TransitionDoc, '_id' | 'fromVersion' | 'set' | 'unset'>): Promise<void> {
  const couponId = lock._id.slice(0, lock._id.indexOf(':'));
  const unset = Object.fromEntries((lock.unset ?? []).map((f) => [f, 1]));
  await Coupon.updateOne(
    { _id: couponId, version: lock.fromVersion },
    {
      $set: { ...(lock.set as Record<string, unknown>), version: lock.fromVersion + 1 },
      ...(Object.keys(unset).length ? { $unset: unset } : {}),
    },
  );
}
