import { z } from 'zod';
import { TIER_IDS } from '../tiers';
import { customerSummary } from './auth';
import { isoDate, objectId, page } from './common';

// Error codes of the member routes: in shared/errors.ts with every other code.
export { MemberErrorCode } from '../errors';

/** The membership terms currently offered; joining records which version was accepted. */
export const MEMBERSHIP_TERMS_VERSION = '2026-01';

// POST /api/v1/members/join → 201 MemberState (409 ALREADY_MEMBER)
export const joinRequest = z.object({
  acceptTerms: z.literal(true, { error: 'the membership terms must be accepted' }),
  termsVersion: z.literal(MEMBERSHIP_TERMS_VERSION, { error: `must be the current terms version ${MEMBERSHIP_TERMS_VERSION}` }),
  /** From a getPhoneNumber button, to bind the member's phone. */
  phoneCode: z.string().trim().min(1).max(256).optional(),
});
export type JoinRequest = z.infer<typeof joinRequest>;

export const tierInfo = z.object({
  id: z.enum(TIER_IDS),
  name: z.string(),
});

export const memberState = z.object({
  memberNo: z.string(),
  tier: tierInfo,
  points: z.number().int(),
  /** Points earned over the last 12 months: what the tier follows. */
  earnedLast12Months: z.number().int(),
  nextTier: z.object({ id: z.enum(TIER_IDS), name: z.string(), pointsNeeded: z.number().int() }).nullable(),
  joinedAt: isoDate,
  termsVersion: z.string(),
  /** Masked, e.g. 138****8000. */
  phone: z.string().nullable(),
});
export type MemberState = z.infer<typeof memberState>;

export const roleGrant = z.object({
  role: z.enum(['clerk', 'manager', 'admin']),
  storeId: objectId.nullable(),
  storeName: z.string().nullable(),
});
export type RoleGrant = z.infer<typeof roleGrant>;

// GET /api/v1/me → 200 Me (401 without a token)
export const meResponse = z.object({
  customer: customerSummary,
  /** null until the customer joins. */
  member: memberState.nullable(),
  roles: z.array(roleGrant),
});
export type MeResponse = z.infer<typeof meResponse>;

export const LEDGER_ENTRY_TYPES = ['earn', 'spend', 'expire', 'adjust', 'reverse', 'refund'] as const;
export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];

export const ledgerEntry = z.object({
  id: objectId,
  type: z.enum(LEDGER_ENTRY_TYPES),
  /** Signed: positive adds to the balance, negative takes away. */
  points: z.number().int(),
  reason: z.string(),
  at: isoDate,
  /** For earned points: when they expire. */
  expiresAt: isoDate.nullable(),
});
export type LedgerEntry = z.infer<typeof ledgerEntry>;

// GET /api/v1/me/points?limit&cursor → newest first
export const pointsPage = page(ledgerEntry).extend({ balance: z.number().int() });
export type PointsPage = z.infer<typeof pointsPage>;

// POST /api/v1/staff/points/adjust (manager of the member's store context or admin) → 201 LedgerEntry
export const adjustPointsRequest = z.object({
  customerId: objectId,
  points: z
    .number()
    .int()
    .refine((n) => n !== 0, 'must not be zero')
    .refine((n) => Math.abs(n) <= 1_000_000, 'is too large'),
  reason: z.string().trim().min(1, 'is required').max(200),
  /** Idempotency key: the same key applies the adjustment once. */
  refKey: z.string().trim().min(1).max(100),
  storeId: objectId.optional(),
});
export type AdjustPointsRequest = z.infer<typeof adjustPointsRequest>;

/**
 * A manager's adjustment above the cap (POINTS_ADJUST_CAP) waits for an admin: POST …/points/adjust
 * answers 202 with this, and an admin decides with POST /api/v1/admin/points/adjustments/:id/approve
 * (→ 201 LedgerEntry) or …/reject (→ 200 with this). GET /api/v1/admin/points/adjustments lists the
 * pending ones.
 */
export const POINTS_ADJUSTMENT_STATES = ['pending', 'approved', 'rejected'] as const;
export const pointsAdjustmentRequest = z.object({
  id: z.string(),
  customerId: objectId,
  points: z.number().int(),
  reason: z.string(),
  refKey: z.string(),
  storeId: objectId.nullable(),
  requestedBy: objectId,
  state: z.enum(POINTS_ADJUSTMENT_STATES),
  decidedBy: objectId.nullable(),
  createdAt: isoDate,
});
export type PointsAdjustmentRequest = z.infer<typeof pointsAdjustmentRequest>;
export const pointsAdjustmentList = z.object({ items: z.array(pointsAdjustmentRequest) });
export type PointsAdjustmentList = z.infer<typeof pointsAdjustmentList>;

// GET /api/v1/me/member-code → { code, expiresAt } (valid ≤ 60 s; 409 NOT_A_MEMBER before joining)
export const memberCodeResponse = z.object({
  /** Digits only; show as a QR code and as grouped digits. */
  code: z.string(),
  expiresAt: isoDate,
});
export type MemberCodeResponse = z.infer<typeof memberCodeResponse>;

/** Member codes are 24 digits; spaces typed by a clerk are ignored. */
export const MEMBER_CODE_PATTERN = /^\d{24}$/;
export const normaliseMemberCode = (typed: string) => typed.replace(/[\s-]/g, '');

// POST /api/v1/staff/members/identify { code, storeId? } → MemberSummary
export const identifyRequest = z.object({
  code: z.string().transform(normaliseMemberCode).pipe(z.string().regex(MEMBER_CODE_PATTERN, 'must be the 24 digits of a member code')),
  /** The store the staff member acts for; may be left out by staff of exactly one store. */
  storeId: objectId.optional(),
});
export type IdentifyRequest = z.input<typeof identifyRequest>;

export const memberSummary = z.object({
  customerId: objectId,
  memberNo: z.string(),
  name: z.string().nullable(),
  tier: tierInfo,
  points: z.number().int(),
  phone: z.string().nullable(),
});
export type MemberSummary = z.infer<typeof memberSummary>;

/** Subscribe-message templates the mini-program asks members to accept (each acceptance allows one send). */
export const SUBSCRIBE_TEMPLATES = { birthdayGift: 'birthday_gift', brandNews: 'brand_news' } as const;
export const SUBSCRIBE_TEMPLATE_IDS = Object.values(SUBSCRIBE_TEMPLATES);

// POST /api/v1/me/subscriptions { templates } → 201 { accepted } (what wx.requestSubscribeMessage accepted)
export const subscriptionsRequest = z.object({
  templates: z
    .array(z.enum(SUBSCRIBE_TEMPLATE_IDS as [string, ...string[]]))
    .min(1)
    .max(3),
});
