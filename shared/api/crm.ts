// Social CRM: tags, segments, the staff customer view and the Today list (server/src/crm).
import { z } from 'zod';
import { TICKET_STATES, TICKET_TYPES } from '../tickets';
import { objectId } from './common';

/** What an automatic tag's rule says about a customer; re-checked as their behaviour changes. */
export const autoTagRule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('following') }),
  /** Followed from this channel, e.g. a store's QR scene `store:<storeId>`. */
  z.object({ kind: z.literal('follow_channel'), channel: z.string().trim().min(1).max(64) }),
  z.object({ kind: z.literal('tier'), tier: z.string().trim().min(1).max(32) }),
  z.object({ kind: z.literal('points_at_least'), points: z.number().int().min(0).max(100_000_000) }),
  z.object({ kind: z.literal('coupon'), event: z.enum(['claimed', 'redeemed']) }),
  z.object({ kind: z.literal('ticket_open') }),
  z.object({ kind: z.literal('low_rating'), maxStars: z.number().int().min(1).max(4).default(2) }),
  /** Said this word to the official account (in the last 200 touches). */
  z.object({ kind: z.literal('keyword'), keyword: z.string().trim().min(1).max(30) }),
  z.object({ kind: z.literal('inactive'), days: z.number().int().min(1).max(3650) }),
  z.object({ kind: z.literal('birthday_month') }),
]);
export type AutoTagRule = z.infer<typeof autoTagRule>;

/** The official account allows 20 tags per follower: at most this many of ours are synced. */
export const MAX_SYNCED_TAGS = 20;

export const createTagRequest = z.object({
  name: z.string().trim().min(1).max(30),
  /** With a rule the tag is automatic (kept by the rule); without one staff set it by hand. */
  rule: autoTagRule.optional(),
  syncToOfficialAccount: z.boolean().default(false),
});
export type CreateTagRequest = z.infer<typeof createTagRequest>;

export const tagView = z.object({
  id: objectId,
  name: z.string(),
  kind: z.enum(['manual', 'auto']),
  rule: autoTagRule.nullable(),
  syncToOfficialAccount: z.boolean(),
  /** The official account's tag id once created there. */
  oaTagId: z.number().nullable(),
  syncError: z.string().nullable(),
  count: z.number().int(),
});
export type TagView = z.infer<typeof tagView>;

export const applyTagRequest = z.object({ tagId: objectId, storeId: objectId.optional() });

/** Points thresholds a segment can filter on (each is kept as an indexed fact). */
export const POINTS_LADDER = [100, 200, 500, 1000, 2000, 5000, 10000] as const;
/** Activity windows a segment can filter on, in days. */
export const ACTIVITY_WINDOWS = [7, 30, 90] as const;
export const BEHAVIOURS = ['member', 'coupon_claimed', 'coupon_redeemed', 'gift_accepted', 'ticket_open', 'low_rating'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

const negate = z.boolean().default(false);
export const segmentCondition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tag'), tagId: objectId, negate }),
  z.object({ kind: z.literal('tier'), tiers: z.array(z.string().trim().min(1).max(32)).min(1).max(10) }),
  z.object({
    kind: z.literal('points'),
    atLeast: z.union(POINTS_LADDER.map((n) => z.literal(n))),
  }),
  z.object({ kind: z.literal('store'), storeId: objectId }),
  z.object({ kind: z.literal('following'), value: z.boolean() }),
  z.object({
    kind: z.literal('active'),
    withinDays: z.union(ACTIVITY_WINDOWS.map((n) => z.literal(n))),
    negate,
  }),
  z.object({ kind: z.literal('behaviour'), behaviour: z.enum(BEHAVIOURS), negate }),
  /** Customers whose gifted coupons were accepted and redeemed (see the advocates ranking). */
  z.object({ kind: z.literal('advocate') }),
]);
export type SegmentCondition = z.infer<typeof segmentCondition>;

/** Every condition must hold (AND); a tier condition holds for any of its tiers. */
export const segmentDefinition = z.object({
  name: z.string().trim().min(1).max(40),
  conditions: z.array(segmentCondition).min(1).max(10),
});
export type SegmentDefinition = z.infer<typeof segmentDefinition>;
export const previewSegmentRequest = segmentDefinition.pick({ conditions: true });

export const customerBrief = z.object({
  id: objectId,
  name: z.string().nullable(),
  tier: z.string().nullable(),
  points: z.number().int().nullable(),
  following: z.boolean(),
});
export type CustomerBrief = z.infer<typeof customerBrief>;

export const segmentView = z.object({
  id: objectId,
  name: z.string(),
  builtIn: z.string().nullable(),
  conditions: z.array(segmentCondition),
  createdAt: z.string(),
});
export type SegmentView = z.infer<typeof segmentView>;

export const segmentCount = z.object({
  count: z.number().int(),
  preview: z.array(customerBrief),
  tookMs: z.number(),
  /** The segment index build the count comes from (null: read live); the rules pass rebuilds it every few minutes. */
  asOf: z.string().nullable(),
});
export type SegmentCount = z.infer<typeof segmentCount>;

export const advocateView = z.object({
  customer: customerBrief,
  accepted: z.number().int(),
  redeemed: z.number().int(),
  gifts: z.array(
    z.object({ couponId: objectId, toCustomerId: objectId, acceptedAt: z.string(), redeemed: z.boolean(), passedOn: z.boolean() }),
  ),
});
export type AdvocateView = z.infer<typeof advocateView>;

export const customerSearchQuery = z.object({
  q: z.string().trim().min(1).max(40),
  storeId: objectId.optional(),
});

export const customerViewQuery = z.object({ storeId: objectId.optional() });

export const addNoteRequest = z.object({ text: z.string().trim().min(1).max(1000), storeId: objectId.optional() });

export const timelineQuery = z.object({
  storeId: objectId.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(40).optional(),
});

export const timelineItem = z.object({
  id: objectId,
  at: z.string(),
  type: z.string(),
  channel: z.string(),
  summary: z.string(),
  storeId: objectId.nullable(),
});

export const customerView = z.object({
  customer: customerBrief.extend({
    birthday: z.string().nullable(),
    followChannel: z.string().nullable(),
    memberNo: z.string().nullable(),
    phoneTail: z.string().nullable(),
  }),
  tags: z.array(z.object({ id: objectId, name: z.string(), kind: z.enum(['manual', 'auto']) })),
  coupons: z.array(z.object({ id: objectId, name: z.string(), state: z.string(), expiresAt: z.string() })),
  tickets: z.array(z.object({ id: objectId, type: z.string(), state: z.string(), createdAt: z.string(), rating: z.number().nullable() })),
});
export type CustomerView = z.infer<typeof customerView>;

export const TODAY_KINDS = [
  'sla_breached',
  'sla_at_risk',
  'complaint_escalated',
  'waiting_human',
  'points_expiring',
  'low_rating',
] as const;
export type TodayKind = (typeof TODAY_KINDS)[number];
/**
 * One thing to handle. The facts are structured (the page words them in the reader's language):
 * `at` is when it falls due — the SLA deadline (breached, at risk), the last escalation, the end of
 * the 48-hour window (waiting for a person), the points' expiry, or when the rating was given.
 */
export const todayItem = z.object({
  kind: z.enum(TODAY_KINDS),
  customerId: objectId,
  /** The customer's name, when they gave one. */
  customerName: z.string().nullable(),
  ticketId: objectId.nullable(),
  /** The ticket's type and state (ticket items; null otherwise). */
  ticketType: z.enum(TICKET_TYPES).nullable(),
  ticketState: z.enum(TICKET_STATES).nullable(),
  /** How many times the complaint was escalated (complaint_escalated). */
  escalations: z.number().int().nullable(),
  /** The rating's stars (low_rating). */
  stars: z.number().int().min(1).max(5).nullable(),
  at: z.string(),
  /** Where it is handled: a mini-program page path. */
  link: z.string(),
});
export type TodayItem = z.infer<typeof todayItem>;
export const todayView = z.object({
  storeId: objectId,
  counts: z.record(z.enum(TODAY_KINDS), z.number().int()),
  items: z.array(todayItem),
});
export type TodayView = z.infer<typeof todayView>;
