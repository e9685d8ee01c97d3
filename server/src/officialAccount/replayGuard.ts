import { createHash } from 'node:crypto';
import { isDuplicateKey } from '../platform/db/errors';
import type { PeriodicJob } from '../platform/jobs/periodic';
import { PushNonce } from './model';

// Replay guard for the push endpoint. A plain-mode `signature` covers token, timestamp and nonce
// only, so a captured query string could carry any body. Each timestamp + nonce is recorded (one
// unique insert, shared by every instance) with a fingerprint of its body for as long as the
// timestamp is accepted: the identical request again (the platform's retry) passes, the same pair
// with another body does not. Older timestamps are refused by the freshness window itself.

export interface NonceCheck {
  timestamp: string;
  nonce: string;
  body: string;
  /** How long the timestamp is accepted either way; the record is kept that long past it. */
  windowS: number;
}

/** True when this timestamp + nonce is new, or was seen before with this very body. */
export async function admitPush(check: NonceCheck): Promise<boolean> {
  const fingerprint = createHash('sha256').update(check.body).digest('base64url');
  const _id = `${check.timestamp}:${check.nonce}`;
  const expiresAt = new Date((Number(check.timestamp) + check.windowS + 60) * 1000);
  try {
    await PushNonce.create({ _id, fingerprint, expiresAt });
    return true;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  const seen = await PushNonce.findById(_id, { fingerprint: 1 }).lean();
  return seen?.fingerprint === fingerprint;
}

export const sweepPushNoncesJob: PeriodicJob = {
  name: 'oa-push-nonces-sweep',
  intervalMs: 5 * 60_000,
  run: async (now) => {
    await PushNonce.deleteMany({ expiresAt: { $lt: now } });
  },
};
