// Brand tags: manual ones set by staff, automatic ones kept by their rule (see facts.ts).
import { Types } from 'mongoose';
import { MAX_SYNCED_TAGS, type CreateTagRequest } from '@shared/api/crm';
import { appendTimeline } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { autoTagIsRuleKept, tagNameTaken, tagNotFound, tooManySyncedTags } from './errors';
import { tagKey } from './facts';
import { CrmTag, CustomerKey, keyId, type TagDoc } from './model';
import { queueOaTagOps } from './oaSync';

export async function createTag(input: CreateTagRequest, now = new Date()): Promise<TagDoc> {
  if (input.syncToOfficialAccount && (await CrmTag.countDocuments({ syncToOfficialAccount: true })) >= MAX_SYNCED_TAGS) {
    throw tooManySyncedTags(MAX_SYNCED_TAGS);
  }
  try {
    const doc = await CrmTag.create({
      name: input.name,
      kind: input.rule ? 'auto' : 'manual',
      ...(input.rule ? { rule: input.rule } : {}),
      syncToOfficialAccount: input.syncToOfficialAccount,
      createdAt: now,
    });
    return doc.toObject() as TagDoc;
  } catch (err) {
    if (isDuplicateKey(err)) throw tagNameTaken();
    throw err;
  }
}

export async function listTags(): Promise<TagDoc[]> {
  return CrmTag.find().sort({ createdAt: 1 }).limit(1000).lean<TagDoc[]>();
}

export async function getTag(tagId: string): Promise<TagDoc> {
  const tag = Types.ObjectId.isValid(tagId) ? await CrmTag.findById(tagId).lean<TagDoc>() : null;
  if (!tag) throw tagNotFound();
  return tag;
}

/** How many customers carry the tag (an indexed equality count). */
export const tagCount = (tagId: Types.ObjectId) => CustomerKey.countDocuments({ key: tagKey(tagId) });

/** The brand tags a customer carries (manual and automatic). */
export async function tagsOfCustomer(customerId: Types.ObjectId): Promise<TagDoc[]> {
  const keys = await CustomerKey.find({ customerId }, { key: 1 }).limit(5000).lean();
  const ids = keys.filter((k) => k.key.startsWith('t:')).map((k) => k.key.slice(2));
  const tags = await Promise.all(ids.map((id) => CrmTag.findById(id).lean<TagDoc>()));
  return tags.filter((t): t is TagDoc => Boolean(t));
}

interface ByStaff {
  staffId: Types.ObjectId;
  storeId?: Types.ObjectId | undefined;
}

/** Staff put a manual tag on a customer; once per tag and customer. */
export async function applyManualTag(
  customerId: Types.ObjectId,
  tagId: string,
  by: ByStaff,
  now = new Date(),
): Promise<{ created: boolean; tag: TagDoc }> {
  const tag = await getTag(tagId);
  if (tag.kind !== 'manual') throw autoTagIsRuleKept();
  const key = tagKey(tag._id);
  const id = keyId(key, customerId);
  let created = true;
  try {
    await CustomerKey.create({ _id: id, key, customerId, source: 'manual', at: now, by: by.staffId });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    created = false;
  }
  // Keyed by the tag's own record: a retry after a crash here writes the entry once.
  const held = await CustomerKey.findById(id).lean();
  if (!held) return { created: false, tag };
  await appendTimeline(customerId, {
    type: 'crm.tagged',
    channel: 'store',
    summary: `tag ${tag.name}`,
    data: { tagId: tag._id.toString(), name: tag.name },
    ...(held.by ? { staffId: held.by } : {}),
    ...(by.storeId ? { storeId: by.storeId } : {}),
    at: held.at,
    sourceKey: `crm.tagged:${id}:${held.at.getTime()}`,
  });
  if (created && tag.syncToOfficialAccount) await queueOaTagOps(customerId, [{ tagId: tag._id, op: 'tag' }], now);
  return { created, tag };
}

export async function removeManualTag(customerId: Types.ObjectId, tagId: string, by: ByStaff, now = new Date()): Promise<void> {
  const tag = await getTag(tagId);
  if (tag.kind !== 'manual') throw autoTagIsRuleKept();
  const removed = await CustomerKey.deleteOne({ _id: keyId(tagKey(tag._id), customerId) });
  if (!removed.deletedCount) return;
  await appendTimeline(customerId, {
    type: 'crm.untagged',
    channel: 'store',
    summary: `tag ${tag.name} removed`,
    data: { tagId: tag._id.toString(), name: tag.name },
    staffId: by.staffId,
    ...(by.storeId ? { storeId: by.storeId } : {}),
    at: now,
  });
  if (tag.syncToOfficialAccount) await queueOaTagOps(customerId, [{ tagId: tag._id, op: 'untag' }], now);
}
