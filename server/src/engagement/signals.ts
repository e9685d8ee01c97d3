import type { SignalCode, SignalView } from '@shared/engagement';

// What makes a claim, gift or follow look like machine or coupon-farming work, and how much each
// sign weighs. Something is flagged when its signs add up to FLAG_AT: no single weak sign (a new
// account, a launch-minute rush, nothing done afterwards, a busy address) is enough on its own;
// a crowd of new accounts behind one address or device, or coupons funnelled into one account, is.

export const FLAG_AT = 1;

export const WEIGHTS: Record<SignalCode, number> = {
  fresh_account: 0.2,
  address_crowd: 0.5,
  device_crowd: 0.6,
  fresh_burst: 0.3,
  gift_funnel: 0.8,
  follow_burst: 0.7,
  no_touch: 0.3,
  clerk_rate: 1,
};

/** An account younger than this at the time of the claim (or gift) is fresh. */
export const FRESH_MS = 24 * 60 * 60 * 1000;
/** Fresh accounts claiming behind one client address within about ten minutes. */
export const ADDRESS_BUCKET_MS = 10 * 60 * 1000;
export const ADDRESS_CROWD = 10;
/** Accounts seen on one device id in a day. */
export const DEVICE_BUCKET_MS = 24 * 60 * 60 * 1000;
export const DEVICE_CROWD = 3;
/** Fresh accounts claiming one campaign within about a minute. */
export const BURST_BUCKET_MS = 60 * 1000;
export const FRESH_BURST = 30;
/** Distinct givers whose coupons one account received in a day. */
export const GIFT_BUCKET_MS = 24 * 60 * 60 * 1000;
export const GIFT_FUNNEL = 5;
/** Follows through one QR scene (or none) within about a minute. */
export const FOLLOW_BUCKET_MS = 60 * 1000;
export const FOLLOW_BURST = 30;
/** A claim or follow with no touch at all this long afterwards is quiet. */
export const QUIET_AFTER_MS = 24 * 60 * 60 * 1000;

/** What the review knows of one event (the stored event, with ids as strings). */
export interface ScoredEvent {
  kind: 'claim' | 'gift' | 'follow';
  customerId: string;
  campaignId?: string | undefined;
  giverId?: string | undefined;
  scene?: string | undefined;
  ipHash?: string | undefined;
  deviceHash?: string | undefined;
  fresh: boolean;
  at: Date;
}

/** A crowd sign: count the distinct members under these keys and compare with the threshold. */
export interface Probe {
  code: SignalCode;
  /** The event's own bucket, and the ones before and after it (a burst across a boundary still counts). */
  keys: string[];
  threshold: number;
}

const bucket = (at: Date, ms: number) => Math.floor(at.getTime() / ms);
const around = (prefix: string, at: Date, ms: number) => {
  const b = bucket(at, ms);
  return [b - 1, b, b + 1].map((n) => `${prefix}|${n}`);
};

/** The counter documents an event writes: `{ key, member }`, each inserted once. */
export function marksOf(e: ScoredEvent): Array<{ key: string; member: string }> {
  const marks: Array<{ key: string; member: string }> = [];
  if (e.kind === 'claim') {
    if (e.fresh && e.ipHash) marks.push({ key: `addr|${e.ipHash}|${bucket(e.at, ADDRESS_BUCKET_MS)}`, member: e.customerId });
    if (e.fresh && e.campaignId) marks.push({ key: `burst|${e.campaignId}|${bucket(e.at, BURST_BUCKET_MS)}`, member: e.customerId });
  }
  if (e.deviceHash && e.kind !== 'follow')
    marks.push({ key: `dev|${e.deviceHash}|${bucket(e.at, DEVICE_BUCKET_MS)}`, member: e.customerId });
  if (e.kind === 'gift' && e.giverId) marks.push({ key: `gin|${e.customerId}|${bucket(e.at, GIFT_BUCKET_MS)}`, member: e.giverId });
  if (e.kind === 'follow') marks.push({ key: `fol|${e.scene ?? '-'}|${bucket(e.at, FOLLOW_BUCKET_MS)}`, member: e.customerId });
  return marks;
}

/** The crowd signs worth counting for an event. */
export function probesOf(e: ScoredEvent): Probe[] {
  const probes: Probe[] = [];
  if (e.kind === 'claim') {
    if (e.fresh && e.ipHash)
      probes.push({ code: 'address_crowd', keys: around(`addr|${e.ipHash}`, e.at, ADDRESS_BUCKET_MS), threshold: ADDRESS_CROWD });
    if (e.fresh && e.campaignId)
      probes.push({ code: 'fresh_burst', keys: around(`burst|${e.campaignId}`, e.at, BURST_BUCKET_MS), threshold: FRESH_BURST });
  }
  if (e.deviceHash && e.kind !== 'follow')
    probes.push({ code: 'device_crowd', keys: [`dev|${e.deviceHash}|${bucket(e.at, DEVICE_BUCKET_MS)}`], threshold: DEVICE_CROWD });
  if (e.kind === 'gift')
    probes.push({ code: 'gift_funnel', keys: [`gin|${e.customerId}|${bucket(e.at, GIFT_BUCKET_MS)}`], threshold: GIFT_FUNNEL });
  if (e.kind === 'follow')
    probes.push({ code: 'follow_burst', keys: around(`fol|${e.scene ?? '-'}`, e.at, FOLLOW_BUCKET_MS), threshold: FOLLOW_BURST });
  return probes;
}

export interface Score {
  score: number;
  signals: SignalView[];
  flagged: boolean;
}

/**
 * Adds up an event's signs. `counts` gives the distinct members counted under each probe's keys
 * (summed); `quiet` is the delayed check's answer (undefined: not checked yet).
 */
export function scoreEvent(e: ScoredEvent, counts: Map<string, number>, quiet: boolean | undefined): Score {
  const signals: SignalView[] = [];
  const add = (code: SignalCode, detail: Record<string, number | string>) => signals.push({ code, weight: WEIGHTS[code], detail });
  if (e.fresh && e.kind !== 'follow') add('fresh_account', {});
  for (const probe of probesOf(e)) {
    const seen = probe.keys.reduce((n, k) => n + (counts.get(k) ?? 0), 0);
    if (seen >= probe.threshold) add(probe.code, { seen, threshold: probe.threshold });
  }
  if (quiet && e.kind !== 'gift') add('no_touch', { afterHours: QUIET_AFTER_MS / 3_600_000 });
  const score = Math.round(signals.reduce((n, s) => n + s.weight, 0) * 100) / 100;
  return { score, signals, flagged: score >= FLAG_AT };
}
