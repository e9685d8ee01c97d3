import { z } from 'zod';
import { isoDate, objectId } from './common';

// Outreach: an admin's message to an audience, sent inside WeChat's rules (contract of
// /api/v1/admin/outreaches). Each recipient gets a customer-service message while the official
// account's 48-hour window is open, else the one subscribe message they accepted, else nothing,
// with the reason recorded.

/** Who an outreach goes to: a saved segment (resolved when sending starts) or listed customers. */
export const outreachAudience = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('segment'), segmentId: objectId }),
  z.object({ kind: z.literal('customers'), customerIds: z.array(objectId).min(1).max(100_000) }),
]);
export type OutreachAudience = z.infer<typeof outreachAudience>;

export const createOutreachRequest = z.object({
  name: z.string().trim().min(1).max(60),
  /** The customer-service message's text (the subscribe message carries its first 20 characters). */
  text: z.string().trim().min(1).max(600),
  audience: outreachAudience,
});
export type CreateOutreachRequest = z.infer<typeof createOutreachRequest>;

export const OUTREACH_STATUSES = ['draft', 'sending', 'done'] as const;
export type OutreachStatus = (typeof OUTREACH_STATUSES)[number];

/** How a recipient was (or would be) reached. */
export const OUTREACH_CHANNELS = ['customer_service', 'subscribe'] as const;
export type OutreachChannel = (typeof OUTREACH_CHANNELS)[number];

/** Why a recipient is not sent anything. */
export const SKIP_REASONS = ['opted_out', 'frequency_cap', 'no_window_no_subscription', 'not_following', 'unknown_customer'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const RECIPIENT_STATUSES = ['sent', 'failed', 'skipped'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export const outreachProgress = z.object({
  /** Recipients in the audience (known once sending has started). */
  total: z.number().int(),
  /** Recipients not finished yet. */
  pending: z.number().int(),
  sent: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  skippedBy: z.record(z.string(), z.number().int()),
});
export type OutreachProgress = z.infer<typeof outreachProgress>;

export const outreachView = z.object({
  id: z.string(),
  name: z.string(),
  text: z.string(),
  audience: z.union([
    z.object({ kind: z.literal('segment'), segmentId: z.string() }),
    z.object({ kind: z.literal('customers'), count: z.number().int() }),
  ]),
  status: z.enum(OUTREACH_STATUSES),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  progress: outreachProgress,
});
export type OutreachView = z.infer<typeof outreachView>;

export const outreachList = z.object({ items: z.array(outreachView) });
export type OutreachList = z.infer<typeof outreachList>;

/** One recipient in a preview: the channel they would get, or why they are skipped. */
export const previewRecipient = z.object({
  customerId: z.string(),
  channel: z.enum(OUTREACH_CHANNELS).nullable(),
  reason: z.enum(SKIP_REASONS).nullable(),
});

export const outreachPreview = z.object({
  /** Recipients in the audience. */
  audience: z.number().int(),
  /** How many of them were looked at (all, up to the preview limit). */
  evaluated: z.number().int(),
  byChannel: z.object({ customer_service: z.number().int(), subscribe: z.number().int() }),
  skippedBy: z.record(z.string(), z.number().int()),
  /** The first recipients with their outcome, to check by eye. */
  sample: z.array(previewRecipient),
});
export type OutreachPreview = z.infer<typeof outreachPreview>;

export const recipientView = z.object({
  customerId: z.string(),
  status: z.enum(RECIPIENT_STATUSES).or(z.literal('sending')),
  channel: z.enum(OUTREACH_CHANNELS).nullable(),
  reason: z.string().nullable(),
  errcode: z.number().int().nullable(),
  at: isoDate,
});
export type RecipientView = z.infer<typeof recipientView>;

export const recipientsQuery = z.object({
  status: z.enum(RECIPIENT_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(100).optional(),
});

export const recipientPage = z.object({ items: z.array(recipientView), nextCursor: z.string().nullable() });
export type RecipientPage = z.infer<typeof recipientPage>;
