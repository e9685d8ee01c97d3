// The people as the last rollup pass left them: saved in chunks of rows, insert-only, so that the
// next pass can start from there instead of the whole timeline (see rollup.ts).
import { randomUUID } from 'node:crypto';
import { insertEach } from '../platform/db/batch';
import { dayOfIndex, indexOfDay, type Acquisition } from './facts';
import { RollupState, RollupStateChunk, RollupStateVoid } from './model';

/** What the snapshots need of one person, as of the end of a day. */
export interface PersonRow {
  /** The day they first joined as a member. */
  joined?: number | undefined;
  tier: string;
  /** The last day with a touch by them. */
  lastTouch?: number | undefined;
  /** Months (`YYYY-MM`) with a touch by them on or after the day they joined. */
  months: Set<string>;
  /** Redemptions that stood (not voided). */
  redemptions: number;
  /** Their first official-account touch (acquisition channel). */
  first?: Acquisition | undefined;
}

/** Saved states follow the rollups' version: what a state holds changes with what is counted. */
const STATE_VERSION = 1;
const stateId = (day: number) => `v${STATE_VERSION}:${dayOfIndex(day)}`;
const ROWS_PER_CHUNK = 2_000;
/** States kept: the newest and the one before (a pass may still be reading it). */
const KEEP_STATES = 2;

/** Saved as arrays: [customerId, joined, tier, lastTouch, months, redemptions, channel, store]. */
type StoredRow = [string, number | null, string, number | null, string[], number, string | null, string | null];

const toStored = (id: string, p: PersonRow): StoredRow => [
  id,
  p.joined ?? null,
  p.tier,
  p.lastTouch ?? null,
  [...p.months],
  p.redemptions,
  p.first?.channel ?? null,
  p.first?.store ?? null,
];

const fromStored = (row: StoredRow): [string, PersonRow] => [
  row[0],
  {
    joined: row[1] ?? undefined,
    tier: row[2],
    lastTouch: row[3] ?? undefined,
    months: new Set(row[4]),
    redemptions: row[5],
    first: row[6] ? { channel: row[6] as Acquisition['channel'], store: row[7] ?? '-' } : undefined,
  },
];

/**
 * The newest usable saved state up to `lastDay`: whole (every chunk there) and made by a pass that
 * began after the last erasure or merge (one that began before may hold the erased person).
 */
export async function loadRollupState(lastDay: number): Promise<{ day: number; people: Map<string, PersonRow> } | undefined> {
  const [states, voids] = await Promise.all([RollupState.find({}).lean(), RollupStateVoid.find({}).lean()]);
  const voidedAt = Math.max(0, ...voids.map((v) => +v.at));
  const usable = states
    .filter((s) => s._id === stateId(indexOfDay(s.day)) && indexOfDay(s.day) <= lastDay && +s.startedAt > voidedAt)
    .sort((a, b) => indexOfDay(b.day) - indexOfDay(a.day));
  for (const state of usable) {
    const chunks = await RollupStateChunk.find({ pass: state.pass }).lean();
    if (chunks.length !== state.chunks) continue;
    const people = new Map<string, PersonRow>();
    for (const chunk of chunks) for (const row of JSON.parse(chunk.rows) as StoredRow[]) people.set(...fromStored(row));
    if (people.size !== state.people) continue;
    return { day: indexOfDay(state.day), people };
  }
  return undefined;
}

/**
 * Saves the people as of the end of `day`: the chunks under a new pass id, then the state that
 * names them. A state of that day already there stands (ours is dropped). Older states and the
 * chunks of passes that died before naming theirs are removed.
 */
export async function saveRollupState(day: number, people: Map<string, PersonRow>, startedAt: Date, now: Date): Promise<void> {
  const pass = randomUUID();
  const rows = [...people].map(([id, p]) => toStored(id, p));
  const chunks: Array<Record<string, unknown>> = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK)
    chunks.push({ _id: `${pass}:${chunks.length}`, pass, rows: JSON.stringify(rows.slice(i, i + ROWS_PER_CHUNK)) });
  for (let i = 0; i < chunks.length; i += 10) {
    const failed = (await insertEach(RollupStateChunk, chunks.slice(i, i + 10))).find((o) => o instanceof Error);
    if (failed) throw failed;
  }
  const [outcome] = await insertEach(RollupState, [
    { _id: stateId(day), day: dayOfIndex(day), pass, chunks: chunks.length, people: rows.length, startedAt, at: now },
  ]);
  if (outcome instanceof Error) throw outcome;
  await pruneStates();
}

async function pruneStates(): Promise<void> {
  const states = (await RollupState.find({}, { day: 1, pass: 1 }).lean()).sort((a, b) => indexOfDay(b.day) - indexOfDay(a.day));
  const keep = new Set(states.slice(0, KEEP_STATES).map((s) => s.pass));
  for (const old of states.slice(KEEP_STATES)) {
    await RollupStateChunk.deleteMany({ pass: old.pass });
    await RollupState.deleteOne({ _id: old._id });
  }
  // Chunks whose pass never named them (it died, or a state of its day was there first).
  const passes = new Set((await RollupStateChunk.find({}, { pass: 1 }).lean()).map((c) => c.pass));
  for (const pass of passes) if (!keep.has(pass)) await RollupStateChunk.deleteMany({ pass });
}

/**
 * After an erasure or a merge: saved states may hold the person, so none made by a pass that began
 * before is used again (the next pass reads the whole timeline). Stamped a minute ahead: the other
 * modules remove the person's timeline right after this, and a pass starting meanwhile could still
 * read it.
 */
export async function forgetRollupStates(): Promise<void> {
  await RollupStateVoid.create({ _id: randomUUID(), at: new Date(Date.now() + 60_000) });
  await RollupStateChunk.deleteMany({});
  await RollupState.deleteMany({});
}
