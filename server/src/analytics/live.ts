// What no day rollup covers yet (today, and yesterday in the hour after midnight): its closed hours
// from their hourly rollups, which the rollup job writes a quarter of an hour after each hour ends,
// and the hour or two since then live from their timeline entries (read by hour, indexed). So a
// request reads a few small documents and the last hour or two of entries, not the whole day.
import { shanghaiHour, timelineOfCustomer, timelineOfDay, timelineOfHour } from '../customers';
import { insertEach } from '../platform/db/batch';
import {
  dayIndex,
  dayOfIndex,
  DayCounters,
  isBefore,
  touchChannel,
  voidsIn,
  type Acquisition,
  type Counters,
  type FactEntry,
} from './facts';
import { AcquisitionRecord, DailyRollup, HourlyRollup } from './model';
import { countersOf, ROLLUP_VERSION, rollupId, writeCounters } from './rollup';

/** An hour is rolled up this long after it ends: a redemption is voided within 10 minutes. */
export const HOUR_SETTLE_MS = 15 * 60 * 1000;
/** More live hours than this in one day: that day is read whole (one read) rather than hour by hour. */
const MAX_HOURLY_READS = 3;
const HOUR_MS = 3_600_000;

export const hourlyRollupId = (hour: string) => `v${ROLLUP_VERSION}:${hour}`;
const hoursOf = (day: number) => Array.from({ length: 24 }, (_, h) => `${dayOfIndex(day)}T${String(h).padStart(2, '0')}`);
const hourStart = (hour: string) => Date.parse(`${hour}:00:00+08:00`);

/** Runs `work` over the items with at most `limit` at once. */
export async function eachLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const asFacts = (read: Promise<unknown[]>) => read as Promise<FactEntry[]>;

/**
 * The counters of buckets of entries no rollup has counted: voids seen in any of them (or in
 * `alsoSeen`) take redemptions back; an unfollower counts under their acquisition channel, from
 * the rollup job's record of it or, if it has none yet, from their own timeline.
 */
export async function countBuckets(buckets: FactEntry[][], alsoSeen: FactEntry[] = []): Promise<Counters[]> {
  const voided = voidsIn([...buckets.flat(), ...alsoSeen]);
  const firstTouch = new Map<string, { at: Date; id: string; acquisition: Acquisition }>();
  const unfollowers = new Set<string>();
  for (const entry of buckets.flat()) {
    const customer = entry.customerId.toString();
    const acquisition = touchChannel(entry);
    if (acquisition) {
      const candidate = { at: entry.at, id: String(entry._id), acquisition };
      const known = firstTouch.get(customer);
      if (!known || isBefore(candidate, known)) firstTouch.set(customer, candidate);
    }
    if (entry.type === 'oa.event' && (entry.data as { type?: string } | undefined)?.type === 'unsubscribe') unfollowers.add(customer);
  }
  // An unfollower's first touch is usually older than these entries: the rollup job recorded it.
  const recorded = new Map<string, Acquisition>();
  const ids = [...unfollowers];
  const records = await eachLimited(ids, 16, (id) => AcquisitionRecord.findById(id).lean());
  records.forEach((r, i) => {
    if (r) recorded.set(ids[i]!, { channel: r.channel as Acquisition['channel'], store: r.store });
  });
  // Not recorded yet (no rollup pass has seen them): their first touch from their own timeline.
  const unrecorded = ids.filter((id) => !recorded.has(id));
  const histories = await eachLimited(unrecorded, 8, (id) => asFacts(timelineOfCustomer(id)));
  histories.forEach((entries, i) => {
    let first: { at: Date; id: string; acquisition: Acquisition } | undefined;
    for (const entry of entries) {
      const acquisition = touchChannel(entry);
      if (!acquisition) continue;
      const candidate = { at: entry.at, id: String(entry._id), acquisition };
      if (!first || isBefore(candidate, first)) first = candidate;
    }
    if (first) recorded.set(unrecorded[i]!, first.acquisition);
  });
  return buckets.map((entries) => {
    const counters = new DayCounters();
    for (const entry of entries) counters.add(entry);
    return counters.finish({ voided, acquisitionOf: (id) => recorded.get(id) ?? firstTouch.get(id)?.acquisition });
  });
}

const addAll = (into: Counters, from: Counters) => {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
};

/** The counters of days without a day rollup: their hourly rollups plus their other hours (up to now) counted live. */
export async function liveDayCounters(days: number[], now: Date): Promise<Map<number, Counters>> {
  const partials = await eachLimited(days, 4, (d) => HourlyRollup.find({ day: dayOfIndex(d) }).lean());
  // Per day: the hours to count live, and whether to read them hour by hour or with the whole day.
  const plans = days.map((d, i) => {
    const rolled = new Set(partials[i]!.map((p) => p.hour));
    const hours = hoursOf(d).filter((h) => !rolled.has(h) && hourStart(h) <= now.getTime());
    return { day: d, hours, wholeDay: hours.length > MAX_HOURLY_READS };
  });
  // A key is an hour (`YYYY-MM-DDTHH`) or a whole day (`YYYY-MM-DD`).
  const keys = plans.flatMap((p) => (p.wholeDay ? [dayOfIndex(p.day)] : p.hours));
  const reads = await eachLimited(keys, 4, async (key) => ({
    key,
    entries: await asFacts(key.includes('T') ? timelineOfHour(key) : timelineOfDay(key)),
  }));
  const byKey = new Map(reads.map((r) => [r.key, r.entries]));
  // One bucket per live day: the entries of its hours not rolled up.
  const buckets = plans.map((p) => {
    if (!p.wholeDay) return p.hours.flatMap((h) => byKey.get(h) ?? []);
    const wanted = new Set(p.hours);
    return (byKey.get(dayOfIndex(p.day)) ?? []).filter((e) => wanted.has(shanghaiHour(e.at)));
  });
  const counted = await countBuckets(buckets);
  const result = new Map<number, Counters>();
  plans.forEach((p, i) => {
    const counters: Counters = new Map();
    for (const partial of partials[i]!) addAll(counters, countersOf(partial));
    addAll(counters, counted[i]!);
    result.set(p.day, counters);
  });
  return result;
}

/**
 * Writes the hourly rollups of today's (and, until its day rollup is there, yesterday's) hours
 * that ended HOUR_SETTLE_MS ago and have none yet. Insert-only, one per hour: a repeat is refused
 * by the _id and the first stands. Reads each such day once (by day), and buckets it by hour.
 * Returns the hours written.
 */
export async function rollHours(now = new Date()): Promise<string[]> {
  const today = dayIndex(now);
  const yesterdayRolled = !!(await DailyRollup.findById(rollupId(dayOfIndex(today - 1)), { _id: 1 }).lean());
  const days = yesterdayRolled ? [today] : [today - 1, today];
  const written: string[] = [];
  for (const day of days) {
    const done = new Set((await HourlyRollup.find({ day: dayOfIndex(day) }, { hour: 1 }).lean()).map((p) => p.hour));
    const due = hoursOf(day).filter((h) => !done.has(h) && hourStart(h) + HOUR_MS + HOUR_SETTLE_MS <= now.getTime());
    if (!due.length) continue;
    const entries = await asFacts(timelineOfDay(dayOfIndex(day)));
    // A void in the first minutes of the next day takes back a redemption of this day's last hour.
    const nextMorning = due.includes(hoursOf(day)[23]!) ? await asFacts(timelineOfHour(hoursOf(day + 1)[0]!)) : [];
    const byHour = new Map<string, FactEntry[]>(due.map((h) => [h, []]));
    for (const entry of entries) byHour.get(shanghaiHour(entry.at))?.push(entry);
    const counted = await countBuckets([...byHour.values()], [...entries, ...nextMorning]);
    const hours = [...byHour.keys()];
    const outcomes = await insertEach(
      HourlyRollup,
      hours.map((hour, i) => ({
        _id: hourlyRollupId(hour),
        day: dayOfIndex(day),
        hour,
        counters: writeCounters(counted[i]!),
        version: ROLLUP_VERSION,
        at: now,
      })),
    );
    outcomes.forEach((o, i) => {
      if (o instanceof Error) throw o;
      if (o === 'inserted') written.push(hours[i]!);
    });
  }
  return written;
}
