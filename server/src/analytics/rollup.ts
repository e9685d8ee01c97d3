// The daily rollup: a pass writes one document per closed day (counters and the day's snapshots),
// insert-only. Run by the periodic job's lease holder; safe to cut short and repeat (a day is
// written whole or not at all, and a day written stands).
//
// The snapshots (tier mix, active members, repeat customers, cohorts) need every person's history.
// The first pass reads the whole timeline once and saves what the snapshots need of each person as
// of its last day (rollupState.ts). Every later pass starts from the newest saved state and reads
// only the days after it, each by its `day` (an indexed equality): a day's entries, not the timeline.
import { hasTimeline, scanTimeline, timelineOfDay } from '../customers';
import { insertEach } from '../platform/db/batch';
import { failpoint } from '../platform/failpoints';
import {
  addTo,
  dayIndex,
  dayOfIndex,
  DayCounters,
  isBefore,
  isPersonTouch,
  monthOfIndex,
  startOfDayIndex,
  touchChannel,
  voidedRedemption,
  voidsIn,
  type Acquisition,
  type Counters,
  type FactEntry,
} from './facts';
import { AcquisitionRecord, DailyRollup } from './model';
import { loadRollupState, saveRollupState, type PersonRow } from './rollupState';

/** What a rollup counts; a change of rules bumps it and the days are rolled up again under new ids. */
export const ROLLUP_VERSION = 2;
export const rollupId = (day: string) => `v${ROLLUP_VERSION}:${day}`;

/**
 * A day is rolled up this long after it ends: facts of a day can still change a little after
 * midnight (a redemption is voided within 10 minutes), and a rolled-up day never changes.
 */
export const SETTLE_MS = 60 * 60 * 1000;
/** How far back the first pass goes. */
export const MAX_BACKFILL_DAYS = 400;

/** The last day that may be rolled up at `now`. */
export const lastClosedDay = (now: Date): number => dayIndex(now.getTime() - SETTLE_MS) - 1;

interface PersonState {
  joined?: number;
  /** [day, at, tier] of the joins and tier changes, in arrival order. */
  tiers: Array<[number, number, string]>;
  /** Days with a touch by the person. */
  days: Set<number>;
  redemptions: Array<[number, string]>;
  first?: { at: Date; id: string; acquisition: Acquisition };
}

export interface RollupResult {
  rolled: string[];
  skipped: string[];
  /** What the pass read: the whole timeline (no saved state to start from), the days after a saved state, or nothing. */
  read: 'timeline' | 'days' | 'nothing';
}

/** Which days of [first, last] have no rollup yet. */
function pendingDays(written: ReadonlySet<string>, first: number, last: number): number[] {
  const days: number[] = [];
  for (let day = Math.max(first, last - MAX_BACKFILL_DAYS + 1); day <= last; day++)
    if (!written.has(rollupId(dayOfIndex(day)))) days.push(day);
  return days;
}

/** Rolls up every closed day that has no rollup yet. */
export async function runRollups(now = new Date()): Promise<RollupResult> {
  const startedAt = new Date();
  const last = lastClosedDay(now);
  const written = new Set((await DailyRollup.find({}, { _id: 1 }).lean()).map((d) => d._id));
  const saved = await loadRollupState(last);
  if (saved) {
    const days = pendingDays(written, saved.day + 1, last);
    if (!days.length) return { rolled: [], skipped: [], read: 'nothing' };
    return rollForward(saved.people, saved.day + 1, days, now, startedAt);
  }
  if (!(await hasTimeline())) return { rolled: [], skipped: [], read: 'nothing' };
  // Every closed day of the backfill window gets its rollup, the days before the first entry too
  // (empty): a range over them is then answered from rollups, not read live.
  const days = pendingDays(written, last - MAX_BACKFILL_DAYS + 1, last);
  if (!days.length) return { rolled: [], skipped: [], read: 'nothing' };
  return rollFromTimeline(days, now, startedAt);
}

/** The first pass: one read of the whole timeline, then the state saved for the next passes. */
async function rollFromTimeline(days: number[], now: Date, startedAt: Date): Promise<RollupResult> {
  // Days written under an earlier version are written again under this one: the old ones go.
  await DailyRollup.deleteMany({ version: { $ne: ROLLUP_VERSION } });
  const pending = new Set(days);
  const lastDay = days[days.length - 1]!;

  const people = new Map<string, PersonState>();
  const person = (id: string): PersonState => {
    let p = people.get(id);
    if (!p) {
      p = { tiers: [], days: new Set(), redemptions: [] };
      people.set(id, p);
    }
    return p;
  };
  const perDay = new Map<number, DayCounters>();
  const voided = new Set<string>();

  // One read of the timeline up to the end of the last pending day.
  await scanTimeline(startOfDayIndex(lastDay + 1), (entry) => {
    const day = dayIndex(entry.at);
    const id = entry.customerId.toString();
    const fact = entry as unknown as FactEntry;
    const v = voidedRedemption(fact);
    if (v) voided.add(v);
    if (pending.has(day)) {
      let counters = perDay.get(day);
      if (!counters) perDay.set(day, (counters = new DayCounters()));
      counters.add(fact);
    }
    const p = person(id);
    if (isPersonTouch(fact)) p.days.add(day);
    const data = (entry.data ?? {}) as Record<string, unknown>;
    if (entry.type === 'member.joined') {
      p.joined = Math.min(p.joined ?? day, day);
      p.tiers.push([day, +entry.at, 'regular']);
    } else if (entry.type === 'member.tier_changed' && typeof data.to === 'string') {
      p.tiers.push([day, +entry.at, data.to]);
    } else if (entry.type === 'coupon.redeemed' && typeof data.redemptionId === 'string') {
      p.redemptions.push([day, data.redemptionId]);
    }
    const acquisition = touchChannel(fact);
    if (acquisition) {
      const candidate = { at: entry.at, id: String(entry._id), acquisition };
      if (!p.first || isBefore(candidate, p.first)) p.first = candidate;
    }
  });

  // Acquisitions first: today's unfollowers are read against them before their day is rolled up.
  await recordAcquisitions([...people].flatMap(([id, p]) => (p.first ? [{ id, at: p.first.at, acquisition: p.first.acquisition }] : [])));

  const acquiredOn = new Map<number, Acquisition[]>();
  for (const p of people.values()) {
    if (!p.first) continue;
    const day = dayIndex(p.first.at);
    if (pending.has(day)) acquiredOn.set(day, [...(acquiredOn.get(day) ?? []), p.first.acquisition]);
  }
  const snapshots = snapshotter(people, voided);
  const rolled: string[] = [];
  const skipped: string[] = [];
  for (const day of days) {
    const counters = (perDay.get(day) ?? new DayCounters()).finish({
      voided,
      acquisitionOf: (id) => people.get(id)?.first?.acquisition,
    });
    for (const a of acquiredOn.get(day) ?? []) addTo(counters, 'oa.acquired', a.store, a.channel);
    snapshots(day, counters);
    ((await writeDay(day, counters, now)) ? rolled : skipped).push(dayOfIndex(day));
    failpoint('analytics-rollup.after-day');
  }
  await saveRollupState(lastDay, rowsAsOf(people, voided), startedAt, now);
  return { rolled, skipped, read: 'timeline' };
}

/** Records followers' first touches (insert-only, one per person: a repeat changes nothing). */
async function recordAcquisitions(firsts: Array<{ id: string; at: Date; acquisition: Acquisition }>): Promise<void> {
  for (let i = 0; i < firsts.length; i += 5_000) {
    const outcomes = await insertEach(
      AcquisitionRecord,
      firsts
        .slice(i, i + 5_000)
        .map(({ id, at, acquisition }) => ({ _id: id, customerId: id, channel: acquisition.channel, store: acquisition.store, at })),
    );
    const failed = outcomes.find((o) => o instanceof Error);
    if (failed) throw failed;
  }
}

/** Writes a day's rollup; false when it was written already (that one stands). */
async function writeDay(day: number, counters: Counters, now: Date): Promise<boolean> {
  const [outcome] = await insertEach(DailyRollup, [
    { _id: rollupId(dayOfIndex(day)), counters: writeCounters(counters), version: ROLLUP_VERSION, at: now },
  ]);
  if (outcome instanceof Error) throw outcome;
  return outcome === 'inserted';
}

/** Counters as a rollup keeps them: `[key, value]` pairs as JSON text. */
export const writeCounters = (counters: Counters): string => JSON.stringify([...counters]);

/** A written day's (or hour's) counters. */
export const countersOf = (doc: { counters: string }): Counters => new Map(JSON.parse(doc.counters) as Array<[string, number]>);

/** What the next passes need of each person, from their history up to the pass's last day. */
function rowsAsOf(people: Map<string, PersonState>, voided: ReadonlySet<string>): Map<string, PersonRow> {
  const rows = new Map<string, PersonRow>();
  for (const [id, p] of people) {
    const tiers = [...p.tiers].sort((a, b) => a[1] - b[1]);
    const joined = p.joined;
    rows.set(id, {
      joined,
      tier: tiers.at(-1)?.[2] ?? 'regular',
      lastTouch: p.days.size ? Math.max(...p.days) : undefined,
      months: new Set(joined === undefined ? [] : [...p.days].filter((d) => d >= joined).map(monthOfIndex)),
      redemptions: p.redemptions.filter(([, id]) => !voided.has(id)).length,
      first: p.first?.acquisition,
    });
  }
  return rows;
}

const entryOrder = (a: FactEntry, b: FactEntry) => +a.at - +b.at || String(a._id).localeCompare(String(b._id));

/**
 * The passes after the first: from the saved state, each day from `from` on is read by its `day`
 * (with the next one, for the voids that follow a redemption within minutes), applied to the people,
 * and rolled up if it is pending. The state as of the last day is saved at the end.
 */
async function rollForward(
  people: Map<string, PersonRow>,
  from: number,
  days: number[],
  now: Date,
  startedAt: Date,
): Promise<RollupResult> {
  const pending = new Set(days);
  const lastDay = days[days.length - 1]!;
  const read = (day: number) => timelineOfDay(dayOfIndex(day)) as Promise<unknown[]> as Promise<FactEntry[]>;
  const rolled: string[] = [];
  const skipped: string[] = [];
  let entries = await read(from);
  for (let day = from; day <= lastDay; day++) {
    const next = await read(day + 1);
    const voided = voidsIn([...entries, ...next]);
    const acquired = applyDay(people, day, entries.sort(entryOrder), voided);
    await recordAcquisitions(acquired);
    if (pending.has(day)) {
      const dayCounters = new DayCounters();
      for (const entry of entries) dayCounters.add(entry);
      const counters = dayCounters.finish({ voided, acquisitionOf: (id) => people.get(id)?.first });
      for (const a of acquired) addTo(counters, 'oa.acquired', a.acquisition.store, a.acquisition.channel);
      snapshotOfRows(people, day, counters);
      ((await writeDay(day, counters, now)) ? rolled : skipped).push(dayOfIndex(day));
      failpoint('analytics-rollup.after-day');
    }
    entries = next;
  }
  await saveRollupState(lastDay, people, startedAt, now);
  return { rolled, skipped, read: 'days' };
}

/** Applies one day's entries (in order) to the people; returns who was acquired that day. */
function applyDay(
  people: Map<string, PersonRow>,
  day: number,
  entries: FactEntry[],
  voided: ReadonlySet<string>,
): Array<{ id: string; at: Date; acquisition: Acquisition }> {
  const acquired: Array<{ id: string; at: Date; acquisition: Acquisition }> = [];
  const touched = new Set<PersonRow>();
  for (const entry of entries) {
    const id = entry.customerId.toString();
    let p = people.get(id);
    if (!p) people.set(id, (p = { tier: 'regular', months: new Set(), redemptions: 0 }));
    const data = (entry.data ?? {}) as Record<string, unknown>;
    if (entry.type === 'member.joined') {
      p.joined ??= day;
      p.tier = 'regular';
    } else if (entry.type === 'member.tier_changed' && typeof data.to === 'string') {
      p.tier = data.to;
    } else if (entry.type === 'coupon.redeemed' && typeof data.redemptionId === 'string' && !voided.has(data.redemptionId)) {
      p.redemptions++;
    }
    if (!p.first) {
      const acquisition = touchChannel(entry);
      if (acquisition) {
        p.first = acquisition;
        acquired.push({ id, at: entry.at, acquisition });
      }
    }
    if (isPersonTouch(entry)) touched.add(p);
  }
  // After the whole day: a touch on the day someone joined counts for their cohort.
  for (const p of touched) {
    p.lastTouch = day;
    if (p.joined !== undefined && p.joined <= day) p.months.add(monthOfIndex(day));
  }
  return acquired;
}

/** The day's snapshots from the people as of its end (the same figures as snapshotter's). */
function snapshotOfRows(people: Map<string, PersonRow>, day: number, counters: Counters): void {
  let active = 0;
  let repeat = 0;
  const tiers = new Map<string, number>();
  const cohortSize = new Map<string, number>();
  const cohort = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const p of people.values()) {
    if (p.redemptions >= 2) repeat++;
    if (p.joined === undefined || p.joined > day) continue;
    if (p.lastTouch !== undefined && p.lastTouch >= day - 29) active++;
    bump(tiers, p.tier);
    const joinMonth = monthOfIndex(p.joined);
    bump(cohortSize, joinMonth);
    for (const month of p.months) bump(cohort, `${joinMonth}|${month}`);
  }
  writeSnapshot(counters, { active, repeat, tiers, cohortSize, cohort });
}

function writeSnapshot(
  counters: Counters,
  s: { active: number; repeat: number; tiers: Map<string, number>; cohortSize: Map<string, number>; cohort: Map<string, number> },
): void {
  addTo(counters, 'snap.active30', '-', '-', s.active);
  addTo(counters, 'snap.repeat', '-', '-', s.repeat);
  for (const [tier, n] of s.tiers) addTo(counters, 'snap.tier', '-', tier, n);
  for (const [month, n] of s.cohortSize) addTo(counters, 'snap.cohortSize', '-', month, n);
  for (const [key, n] of s.cohort) addTo(counters, 'snap.cohort', '-', key, n);
  // Written even when zero, so that a rolled day always says how many were active.
  if (!counters.has('snap.active30|-|-')) counters.set('snap.active30|-|-', 0);
}

/** The members' state as of the end of a day: tier mix, active in 30 days, repeat customers, cohorts. */
function snapshotter(people: Map<string, PersonState>, voided: ReadonlySet<string>) {
  const members = [...people.values()]
    .filter((p) => p.joined !== undefined)
    .map((p) => ({
      joined: p.joined!,
      days: [...p.days].sort((a, b) => a - b),
      tiers: [...p.tiers].sort((a, b) => a[1] - b[1]),
    }));
  // The day each person made their second redemption that stood (repeat customers need not be members).
  const secondRedemption = [...people.values()]
    .map(
      (p) =>
        p.redemptions
          .filter(([, id]) => !voided.has(id))
          .map(([day]) => day)
          .sort((a, b) => a - b)[1],
    )
    .filter((d): d is number => d !== undefined);

  return (day: number, counters: Counters) => {
    let active = 0;
    const tiers = new Map<string, number>();
    const cohortSize = new Map<string, number>();
    const cohort = new Map<string, number>();
    for (const m of members) {
      if (m.joined > day) continue;
      if (hasDayIn(m.days, day - 29, day)) active++;
      let tier = 'regular';
      for (const [d, , t] of m.tiers) if (d <= day) tier = t;
      tiers.set(tier, (tiers.get(tier) ?? 0) + 1);
      const joinMonth = monthOfIndex(m.joined);
      cohortSize.set(joinMonth, (cohortSize.get(joinMonth) ?? 0) + 1);
      const months = new Set<string>();
      for (const d of m.days) {
        if (d > day) break;
        if (d >= m.joined) months.add(monthOfIndex(d));
      }
      for (const month of months) cohort.set(`${joinMonth}|${month}`, (cohort.get(`${joinMonth}|${month}`) ?? 0) + 1);
    }
    writeSnapshot(counters, { active, repeat: secondRedemption.filter((d) => d <= day).length, tiers, cohortSize, cohort });
  };
}

/** Whether a sorted list of days has one in [from, to]. */
function hasDayIn(sorted: number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]! <= to;
}
