import { z } from 'zod';
import { isoDate, objectId } from './common';

// POST /api/v1/auth/login — a wx.login code in, a bearer token out.
export const loginRequest = z.object({
  code: z.string().trim().min(1, 'is required').max(256),
});
export type LoginRequest = z.infer<typeof loginRequest>;

export const customerSummary = z.object({
  id: objectId,
  name: z.string().nullable(),
  status: z.enum(['active', 'merged', 'deleted']),
});
export type CustomerSummary = z.infer<typeof customerSummary>;

export const loginResponse = z.object({
  /** Send as `Authorization: Bearer <token>`. */
  token: z.string(),
  expiresAt: isoDate,
  customer: customerSummary,
});
export type LoginResponse = z.infer<typeof loginResponse>;

// POST /api/v1/auth/logout — revokes the token it is sent with; 204.

/** Session lifetime. */
export const SESSION_TTL_DAYS = 30;
