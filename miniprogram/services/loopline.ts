// Every API call the mini-program makes, one function each, typed by the shared contract.
import { z } from 'zod';
import { apiRequest } from './api';
import type { Role } from './session';

const tierSchema = z.looseObject({
  code: z.string(),
  name: z.string(),
});

export const memberSchema = z.looseObject({
  tier: tierSchema,
  points: z.number().int(),
  nextTier: tierSchema.extend({ pointsNeeded: z.number().int() }).nullable().optional(),
  progress: z.number().min(0).max(1).optional(),
  joinedAt: z.string(),
});
export type Member = z.infer<typeof memberSchema>;

export const meSchema = z.looseObject({
  customer: z.looseObject({
    id: z.string(),
    nickname: z.string().nullable().optional(),
    phoneMasked: z.string().nullable().optional(),
  }),
  roles: z.array(z.string()),
  staff: z.array(z.looseObject({ storeId: z.string(), role: z.string(), storeName: z.string().optional() })).optional(),
  member: memberSchema.nullable(),
});
export type Me = z.infer<typeof meSchema>;

export const loginSchema = z.looseObject({
  token: z.string(),
  expiresAt: z.string(),
  customer: z.looseObject({ id: z.string() }),
});

export const memberCodeSchema = z.object({ code: z.string(), expiresAt: z.string() });
export type MemberCode = z.infer<typeof memberCodeSchema>;

export const pointsEntrySchema = z.looseObject({
  id: z.string(),
  delta: z.number().int(),
  reason: z.string(),
  balanceAfter: z.number().int().optional(),
  createdAt: z.string(),
});
export const pointsPageSchema = z.looseObject({ items: z.array(pointsEntrySchema), nextCursor: z.string().nullable().optional() });
export type PointsEntry = z.infer<typeof pointsEntrySchema>;

export const memberSummarySchema = z.looseObject({
  customerId: z.string(),
  nickname: z.string().nullable().optional(),
  phoneMasked: z.string().nullable().optional(),
  tier: tierSchema,
  points: z.number().int(),
});
export type MemberSummary = z.infer<typeof memberSummarySchema>;

export const storeSchema = z.looseObject({ id: z.string(), name: z.string(), city: z.string().nullable().optional() });
export type Store = z.infer<typeof storeSchema>;

export const api = {
  login: (code: string) => apiRequest('POST', '/auth/login', { body: { code }, schema: loginSchema, allowAnonymous: true }),
  me: () => apiRequest('GET', '/me', { schema: meSchema }),
  join: (input: { consent: true; phoneCode?: string }) => apiRequest('POST', '/me/member', { body: input, schema: memberSchema }),
  points: () => apiRequest('GET', '/me/points', { schema: pointsPageSchema }),
  memberCode: () => apiRequest('GET', '/me/member-code', { schema: memberCodeSchema }),
  updateProfile: (input: { nickname?: string; birthday?: string }) => apiRequest('PATCH', '/me/profile', { body: input }),
  exportData: () => apiRequest<unknown>('GET', '/me/export'),
  deleteAccount: () => apiRequest<unknown>('DELETE', '/me'),
  identify: (code: string) => apiRequest('POST', '/staff/members/identify', { body: { code }, schema: memberSummarySchema }),
  stores: () => apiRequest('GET', '/admin/stores', { schema: z.looseObject({ items: z.array(storeSchema) }) }),
  createStore: (input: { name: string; city?: string }) => apiRequest('POST', '/admin/stores', { body: input, schema: storeSchema }),
  grantStaff: (input: { openid: string; role: 'clerk' | 'manager'; storeId: string }) =>
    apiRequest<unknown>('POST', '/admin/staff', { body: input }),
};

export function hasRole(me: Pick<Me, 'roles'> | undefined, ...roles: Role[]): boolean {
  return Boolean(me?.roles.some((r) => (roles as string[]).includes(r)));
}
