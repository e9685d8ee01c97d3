// Segments: saved filters over what we know of customers. Each condition names one or more keys
// (crm_customer_keys, see model.ts). A key's customers are read from the segment index (a few chunk
// documents by _id, see segmentIndex.ts), or, for a key not indexed yet, by equality on `key`
// (index-backed); the sets are combined in the server: the smallest first, intersected with the
// others, the negated ones taken out. No range, $in, $or or dotted filter reaches the database.
import { Types } from 'mongoose';
import type { SegmentCondition, SegmentDefinition } from '@shared/api/crm';
import { segmentNotFound } from './errors';
import { tagKey } from './facts';
import { CustomerKey, Segment, type SegmentDoc } from './model';
import { indexedIds } from './segmentIndex';

export const ADVOCATES_SEGMENT_ID = '0000000000000000000000a1';
const BUILT_IN: Array<{ _id: Types.ObjectId; name: string; builtIn: string; conditions: SegmentCondition[] }> = [
  { _id: new Types.ObjectId(ADVOCATES_SEGMENT_ID), name: 'Advocates', builtIn: 'advocates', conditions: [{ kind: 'advocate' }] },
];

/** The keys of a condition (any of them) and whether the condition is negated. */
export function keysOf(condition: SegmentCondition): { keys: string[]; negate: boolean } {
  switch (condition.kind) {
    case 'tag':
      return { keys: [tagKey(condition.tagId)], negate: condition.negate };
    case 'tier':
      return { keys: [...new Set(condition.tiers)].map((t) => `tier:${t}`), negate: false };
    case 'points':
      return { keys: [`pts:${condition.atLeast}`], negate: false };
    case 'store':
      return { keys: [`store:${condition.storeId}`], negate: false };
    case 'following':
      return { keys: ['following'], negate: !condition.value };
    case 'active':
      return { keys: [`active:${condition.withinDays}`], negate: condition.negate };
    case 'behaviour':
      return { keys: [`b:${condition.behaviour}`], negate: condition.negate };
    case 'advocate':
      return { keys: ['advocate'], negate: false };
  }
}

/** Customer ids (hex) carrying the key now, read from the per-customer keys (time-bound keys checked here). */
export async function idsWithKeyDirect(key: string, now: Date): Promise<Set<string>> {
  const docs = await CustomerKey.find({ key }, { _id: 0, customerId: 1, until: 1 }).batchSize(1_000_000).lean();
  const ids = new Set<string>();
  for (const d of docs) if (!d.until || d.until > now) ids.add(d.customerId.toString());
  return ids;
}

interface KeySet {
  ids: Set<string>;
  /** When the segment index this came from was built; undefined when read directly. */
  asOf?: Date | undefined;
}

async function idsWithKey(key: string, now: Date): Promise<KeySet> {
  const indexed = await indexedIds(key);
  if (indexed) return { ids: new Set(indexed.ids), asOf: indexed.builtAt };
  return { ids: await idsWithKeyDirect(key, now) };
}

async function idsWithAny(keys: string[], now: Date): Promise<KeySet> {
  const sets = await Promise.all(keys.map((k) => idsWithKey(k, now)));
  const asOf = sets.reduce<Date | undefined>((min, s) => (s.asOf && (!min || s.asOf < min) ? s.asOf : min), undefined);
  if (sets.length === 1) return sets[0]!;
  const all = new Set<string>();
  for (const s of sets) for (const id of s.ids) all.add(id);
  return { ids: all, asOf };
}

export interface SegmentMembers {
  /** Customer ids (hex), sorted. */
  ids: string[];
  /** The oldest segment-index build the answer used (undefined: read live). */
  asOf?: Date | undefined;
}

/** The customers matching every condition: the smallest set first, intersected, the negated ones taken out. */
export async function segmentMembers(conditions: SegmentCondition[], now = new Date()): Promise<SegmentMembers> {
  const resolved = conditions.map(keysOf);
  const positives = resolved.filter((r) => !r.negate);
  const negatives = resolved.filter((r) => r.negate);
  const included = await Promise.all((positives.length ? positives : [{ keys: ['all'] }]).map((p) => idsWithAny(p.keys, now)));
  const excluded = await Promise.all(negatives.map((n) => idsWithAny(n.keys, now)));
  const asOf = [...included, ...excluded].reduce<Date | undefined>(
    (min, s) => (s.asOf && (!min || s.asOf < min) ? s.asOf : min),
    undefined,
  );
  included.sort((a, b) => a.ids.size - b.ids.size);
  const [smallest, ...others] = included;
  const ids: string[] = [];
  for (const id of smallest!.ids) {
    if (others.every((s) => s.ids.has(id)) && !excluded.some((s) => s.ids.has(id))) ids.push(id);
  }
  return { ids: ids.sort(), asOf };
}

export const matchingIds = async (conditions: SegmentCondition[], now = new Date()) => (await segmentMembers(conditions, now)).ids;

async function ensureBuiltIns(): Promise<void> {
  for (const segment of BUILT_IN) {
    if (await Segment.exists({ _id: segment._id })) continue;
    await Segment.create({ ...segment, createdAt: new Date(0) }).catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err;
    });
  }
}

export async function createSegment(input: SegmentDefinition, createdBy: Types.ObjectId, now = new Date()): Promise<SegmentDoc> {
  const doc = await Segment.create({ name: input.name, conditions: input.conditions, createdBy, createdAt: now });
  return doc.toObject() as SegmentDoc;
}

export async function listSegments(): Promise<SegmentDoc[]> {
  await ensureBuiltIns();
  return Segment.find().sort({ createdAt: 1 }).limit(500).lean<SegmentDoc[]>();
}

export async function getSegment(segmentId: string): Promise<SegmentDoc> {
  if (segmentId === ADVOCATES_SEGMENT_ID) await ensureBuiltIns();
  const segment =
    Types.ObjectId.isValid(segmentId) && /^[0-9a-f]{24}$/.test(segmentId) ? await Segment.findById(segmentId).lean<SegmentDoc>() : null;
  if (!segment) throw segmentNotFound();
  return segment;
}

export async function deleteSegment(segmentId: string): Promise<void> {
  const segment = await getSegment(segmentId);
  if (segment.builtIn) return;
  await Segment.deleteOne({ _id: segment._id });
}

/**
 * Every customer in the segment now, as hex ids (sorted). Throws the module's NotFound domain error
 * for an unknown segment. This is what outreach targets.
 */
export async function resolveSegmentCustomerIds(segmentId: string): Promise<string[]> {
  const segment = await getSegment(segmentId);
  return matchingIds(segment.conditions as SegmentCondition[]);
}
