// Outreach use cases: compose, preview, send, follow progress, read each recipient's result.
import { Types } from 'mongoose';
import {
  createOutreachRequest,
  type OutreachPreview,
  type OutreachProgress,
  type RecipientStatus,
  type SkipReason,
} from '@shared/api/outreach';
import { OutreachErrorCode } from '@shared/errors';
import { conflict, DomainError, notFound } from '../platform/errors';
import { parseWith } from '../platform/http/middleware';
import { audienceIds, type SegmentResolver } from './audience';
import { decide, gatherFacts } from './eligibility';
import { Outreach, OutreachDelivery, OutreachTally, type OutreachDeliveryDoc, type OutreachDoc } from './model';

/** A preview looks at this many recipients at most (the send itself decides for everyone). */
export const PREVIEW_LIMIT = 2_000;
const PREVIEW_SAMPLE = 50;
const PREVIEW_BATCH = 500;

export async function createOutreach(input: unknown, createdBy: Types.ObjectId): Promise<OutreachDoc> {
  const { name, text, audience } = parseWith(createOutreachRequest, input);
  const doc = await Outreach.create({
    name,
    text,
    audience:
      audience.kind === 'segment'
        ? { kind: 'segment', segmentId: audience.segmentId }
        : { kind: 'customers', customerIds: audience.customerIds },
    createdBy,
  });
  return doc.toObject() as OutreachDoc;
}

export async function getOutreach(id: string): Promise<OutreachDoc> {
  const doc = Types.ObjectId.isValid(id) ? await Outreach.findById(id).lean<OutreachDoc>() : null;
  if (!doc) throw notFound('No such outreach.');
  return doc;
}

export async function listOutreaches(limit = 50): Promise<OutreachDoc[]> {
  return Outreach.find().sort({ _id: -1 }).limit(limit).lean<OutreachDoc[]>();
}

/** Counts by status: the sum of finished chunks' tallies; the rest is pending. */
export async function progressOf(outreach: OutreachDoc): Promise<OutreachProgress> {
  const total = outreach.total ?? (outreach.audience.kind === 'customers' ? (outreach.audience.customerIds?.length ?? 0) : 0);
  const progress: OutreachProgress = { total, pending: 0, sent: 0, failed: 0, skipped: 0, skippedBy: {} };
  if (outreach.status !== 'draft') {
    for (const t of await OutreachTally.find({ outreachId: outreach._id }).lean()) {
      progress.sent += t.sent;
      progress.failed += t.failed;
      progress.skipped += t.skipped;
      for (const [reason, n] of Object.entries((t.skippedBy ?? {}) as Record<string, number>)) {
        progress.skippedBy[reason] = (progress.skippedBy[reason] ?? 0) + n;
      }
    }
  }
  progress.pending = Math.max(0, total - progress.sent - progress.failed - progress.skipped);
  return progress;
}

/** Who would get what, without sending: the same rules as the send, on today's facts. */
export async function previewOutreach(
  outreach: OutreachDoc,
  resolveSegment: SegmentResolver,
  cap: number,
  now = new Date(),
): Promise<OutreachPreview> {
  const ids = await audienceIds(outreach, resolveSegment);
  const looked = ids.slice(0, PREVIEW_LIMIT);
  const plans: Array<{ customerId: string; channel: 'customer_service' | 'subscribe' | null; reason: SkipReason | null }> = [];
  for (let i = 0; i < looked.length; i += PREVIEW_BATCH) {
    const batch = looked.slice(i, i + PREVIEW_BATCH);
    const facts = await gatherFacts(
      batch.map((id) => new Types.ObjectId(id)),
      cap,
      now,
    );
    for (const id of batch) {
      const plan = decide(facts.get(id)!, now);
      plans.push({ customerId: id, channel: plan.channel, reason: plan.channel ? null : plan.reason });
    }
  }
  const preview: OutreachPreview = {
    audience: ids.length,
    evaluated: looked.length,
    byChannel: { customer_service: 0, subscribe: 0 },
    skippedBy: {},
    sample: plans.slice(0, PREVIEW_SAMPLE),
  };
  for (const p of plans) {
    if (p.channel) preview.byChannel[p.channel]++;
    else if (p.reason) preview.skippedBy[p.reason] = (preview.skippedBy[p.reason] ?? 0) + 1;
  }
  return preview;
}

/**
 * Starts sending a draft. The audience must resolve now (a segment that cannot is refused here, not
 * found later by the job). Sending again an outreach already sending or done is refused.
 */
export async function startSending(outreach: OutreachDoc, resolveSegment: SegmentResolver): Promise<OutreachDoc> {
  if (outreach.status !== 'draft') throw conflict(OutreachErrorCode.OUTREACH_NOT_DRAFT, 'This outreach has been sent already.');
  const ids = await audienceIds(outreach, resolveSegment);
  if (!ids.length) throw new DomainError(OutreachErrorCode.AUDIENCE_UNAVAILABLE, 'The audience has nobody in it.');
  await Outreach.updateOne({ _id: outreach._id }, { $set: { status: 'sending', startedAt: new Date() } });
  return { ...outreach, status: 'sending', startedAt: new Date() };
}

/** One page of recipients' results, by attempt order (`_id`), optionally of one status. */
export async function listRecipients(
  outreach: OutreachDoc,
  query: { status?: RecipientStatus | undefined; limit: number; cursor?: string | undefined },
): Promise<{ items: OutreachDeliveryDoc[]; nextCursor: string | null }> {
  const after = query.cursor && Types.ObjectId.isValid(query.cursor) ? new Types.ObjectId(query.cursor) : undefined;
  const items = await OutreachDelivery.find({
    outreachId: outreach._id,
    ...(query.status ? { status: query.status } : {}),
    ...(after ? { _id: { $gt: after } } : {}),
  })
    .sort({ _id: 1 })
    .limit(query.limit)
    .lean<OutreachDeliveryDoc[]>();
  return { items, nextCursor: items.length === query.limit ? String(items.at(-1)!._id) : null };
}
