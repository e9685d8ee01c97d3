import { z } from 'zod';
import { isoDate } from './common';

export const GENDERS = ['female', 'male', 'other', 'undisclosed'] as const;

export const profile = z.object({
  name: z.string().nullable(),
  /** YYYY-MM-DD */
  birthday: z.string().nullable(),
  gender: z.enum(GENDERS).nullable(),
  preferences: z.array(z.string()),
});
export type Profile = z.infer<typeof profile>;

// GET /api/v1/me/profile → Profile; PATCH /api/v1/me/profile (any subset; null clears) → Profile
export const updateProfileRequest = z
  .object({
    name: z.string().trim().min(1).max(40).nullable().optional(),
    birthday: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
      .refine((s) => {
        const d = new Date(`${s}T00:00:00Z`);
        return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s) && d.getTime() <= Date.now();
      }, 'must be a real date in the past')
      .nullable()
      .optional(),
    gender: z.enum(GENDERS).nullable().optional(),
    preferences: z.array(z.string().trim().min(1).max(30)).max(20).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'change at least one field' });
export type UpdateProfileRequest = z.infer<typeof updateProfileRequest>;

// GET /api/v1/me/export → everything held about the customer, one section per kind of record of every
// module (shape kept loose inside a section: it grows with modules)
export const exportResponse = z.object({
  exportedAt: isoDate,
  customer: z.record(z.string(), z.unknown()),
  identities: z.array(z.object({ kind: z.string(), value: z.string(), since: isoDate })),
  member: z.record(z.string(), z.unknown()).nullable(),
  ledger: z.array(z.record(z.string(), z.unknown())),
  timeline: z.array(z.record(z.string(), z.unknown())),
  roles: z.array(z.record(z.string(), z.unknown())),
  sessions: z.array(z.object({ createdAt: isoDate, expiresAt: isoDate })),
  coupons: z.array(z.record(z.string(), z.unknown())),
  gifts: z.array(z.record(z.string(), z.unknown())),
  redemptions: z.array(z.record(z.string(), z.unknown())),
  tickets: z.array(z.record(z.string(), z.unknown())),
  ticketMessages: z.array(z.record(z.string(), z.unknown())),
  ticketPhotos: z.array(
    z.object({ ticketId: z.string(), id: z.string(), url: z.string(), contentType: z.string(), size: z.number(), at: isoDate }),
  ),
  officialAccountDeliveries: z.array(z.object({ state: z.string(), at: isoDate })),
  pointsAdjustmentRequests: z.array(z.record(z.string(), z.unknown())),
  birthdayGifts: z.array(z.record(z.string(), z.unknown())),
  subscribeAcceptances: z.array(z.record(z.string(), z.unknown())),
  pointsExchanges: z.array(z.record(z.string(), z.unknown())),
});
export type ExportResponse = z.infer<typeof exportResponse>;

// POST /api/v1/me/deletion → 201 { token, expiresAt }: step one of deleting the account
export const deletionStartResponse = z.object({ token: z.string(), expiresAt: isoDate });
export type DeletionStartResponse = z.infer<typeof deletionStartResponse>;

/** How long the confirmation token of an account deletion stays valid. */
export const DELETION_CONFIRM_MINUTES = 10;

// POST /api/v1/me/deletion/confirm { token } → 204: personal data and identities erased in every
// module, every session revoked; what accounting keeps (points ledger, redemptions, ticket figures)
// stays without anything that names the person.
export const deletionConfirmRequest = z.object({ token: z.string().trim().min(1).max(200) });
export type DeletionConfirmRequest = z.infer<typeof deletionConfirmRequest>;
