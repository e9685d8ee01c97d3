import { z } from 'zod';
import { isoDate, objectId } from './common';

// Stores and staff roles. Admin routes under /api/v1/admin.

export const STAFF_ROLES = ['clerk', 'manager'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** Every role a customer can hold: store roles plus the brand-wide admin. */
export type Role = StaffRole | 'admin';

const storeFields = {
  name: z.string().trim().min(1, 'is required').max(60),
  /** Short unique store code, e.g. SH-001. */
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{2,20}$/, 'must be 2-20 letters, digits, - or _'),
  address: z.string().trim().max(200).default(''),
  city: z.string().trim().max(40).default(''),
};

// POST /api/v1/admin/stores → 201 Store (409 CONFLICT when the code is taken)
export const createStoreRequest = z.object(storeFields);
export type CreateStoreRequest = z.infer<typeof createStoreRequest>;

// PATCH /api/v1/admin/stores/:id → 200 Store
export const updateStoreRequest = z
  .object({
    name: storeFields.name.optional(),
    address: z.string().trim().max(200).optional(),
    city: z.string().trim().max(40).optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'change at least one field' });
export type UpdateStoreRequest = z.infer<typeof updateStoreRequest>;

export const store = z.object({
  id: objectId,
  name: z.string(),
  code: z.string(),
  address: z.string(),
  city: z.string(),
  active: z.boolean(),
  createdAt: isoDate,
});
export type Store = z.infer<typeof store>;

// GET /api/v1/admin/stores → { items: Store[] } (admin: all; manager: their stores)
export const storeList = z.object({ items: z.array(store) });
export type StoreList = z.infer<typeof storeList>;

// POST /api/v1/admin/staff → 201 StaffGrant. Admin: any store, any role; manager: clerks of their store.
export const grantStaffRequest = z
  .object({
    customerId: objectId.optional(),
    /** The person's mini-program openid, when their customer id is not at hand. */
    openid: z.string().trim().min(1).max(128).optional(),
    role: z.enum(STAFF_ROLES),
    storeId: objectId,
  })
  .refine((v) => Boolean(v.customerId) !== Boolean(v.openid), {
    message: 'give exactly one of customerId or openid',
    path: ['customerId'],
  });
export type GrantStaffRequest = z.infer<typeof grantStaffRequest>;

export const staffGrant = z.object({
  id: z.string(),
  customerId: objectId,
  role: z.enum(['clerk', 'manager', 'admin']),
  storeId: objectId.nullable(),
  storeName: z.string().nullable(),
  customerName: z.string().nullable(),
  grantedAt: isoDate,
});
export type StaffGrant = z.infer<typeof staffGrant>;

// GET /api/v1/admin/staff?storeId= → { items: StaffGrant[] }
export const staffListQuery = z.object({ storeId: objectId.optional() });
export const staffList = z.object({ items: z.array(staffGrant) });
export type StaffList = z.infer<typeof staffList>;

// DELETE /api/v1/admin/staff/:id → 204 (revokes the grant)
