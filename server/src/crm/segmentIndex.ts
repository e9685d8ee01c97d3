// The segment index (see KeyChunk in model.ts): rebuilt from the per-customer keys by the rules
// pass's lease holder, read by segment counts. A reader sees one whole generation of each key: the
// pointer moves only after every chunk of the new generation is written, and the chunks of older
// generations are removed only after that.
import { Types } from 'mongoose';
import { CustomerKey, KeyChunk, KeyIndex } from './model';

export const CHUNK_SIZE = 5_000;
/** Keys that are for lookups, not for segments. */
const NOT_INDEXED = /^(phone4|name):/;

export interface IndexBuild {
  keys: number;
  memberships: number;
  chunks: number;
  builtAt: Date;
}

/** Reads every customer key once (a background read), writes a new generation for each key. */
export async function rebuildSegmentIndex(now = new Date()): Promise<IndexBuild> {
  const members = new Map<string, string[]>();
  const cursor = CustomerKey.find({}, { _id: 0, key: 1, customerId: 1, until: 1 }).batchSize(20_000).lean().cursor();
  let memberships = 0;
  for await (const doc of cursor) {
    if (NOT_INDEXED.test(doc.key) || (doc.until && doc.until <= now)) continue;
    let list = members.get(doc.key);
    if (!list) members.set(doc.key, (list = []));
    list.push(doc.customerId.toString());
    memberships++;
  }
  const gen = new Types.ObjectId().toString();
  let chunks = 0;
  for (const [key, ids] of members) {
    ids.sort();
    const docs = [];
    for (let n = 0; n * CHUNK_SIZE < ids.length; n++)
      docs.push({ _id: `${key}|${gen}|${n}`, key, gen, ids: ids.slice(n * CHUNK_SIZE, (n + 1) * CHUNK_SIZE) });
    if (docs.length) await KeyChunk.insertMany(docs, { ordered: true, lean: true });
    chunks += docs.length;
    await KeyIndex.replaceOne({ _id: key }, { gen, chunks: docs.length, count: ids.length, builtAt: now }, { upsert: true });
  }
  // Keys nobody carries any more: an empty generation.
  const pointers = (await KeyIndex.find({}, { _id: 1 }).limit(100_000).lean()).map((p) => ({ _id: String(p._id) }));
  for (const p of pointers) {
    if (!members.has(p._id)) await KeyIndex.replaceOne({ _id: p._id }, { gen, chunks: 0, count: 0, builtAt: now });
  }
  // Older generations go once no pointer names them.
  for (const key of new Set([...members.keys(), ...pointers.map((p) => p._id)])) {
    const stale = await KeyChunk.find({ key }, { _id: 1, gen: 1 }).limit(10_000).lean();
    for (const s of stale) if (s.gen !== gen) await KeyChunk.deleteOne({ _id: s._id });
  }
  return { keys: members.size, memberships, chunks, builtAt: now };
}

/** When the index was last built, if ever. */
export async function indexBuiltAt(): Promise<Date | undefined> {
  return (await KeyIndex.findById('all', { builtAt: 1 }).lean())?.builtAt;
}

/**
 * The customers (hex ids) carrying the key as of the last build, or undefined when the key was never
 * indexed (a fresh install before the first pass): the caller then reads the customer keys directly.
 */
export async function indexedIds(key: string): Promise<{ ids: string[]; builtAt: Date } | undefined> {
  const pointer = await KeyIndex.findById(key).lean();
  if (!pointer) return undefined;
  const chunks = await Promise.all(
    Array.from({ length: pointer.chunks }, (_, n) => KeyChunk.findById(`${key}|${pointer.gen}|${n}`, { ids: 1 }).lean()),
  );
  if (chunks.some((c) => !c)) return undefined; // a generation being replaced under us: read directly
  return { ids: chunks.flatMap((c) => c!.ids), builtAt: pointer.builtAt };
}
