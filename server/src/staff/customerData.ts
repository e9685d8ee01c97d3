import type { CustomerDataPart } from '../platform/customerData';
import { isDuplicateKey } from '../platform/db/errors';
import { RoleGrant, type RoleDoc } from './model';

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : d);

/** Staff and admin roles a customer holds. */
export const staffData: CustomerDataPart = {
  module: 'staff',
  collections: ['staff_roles'],

  async erase(customerId) {
    await RoleGrant.deleteMany({ customerId });
  },

  async merge(from, into) {
    // A role's _id is its slot (`<customerId>:<storeId|admin>`): each moves to the survivor's slot,
    // where a role the survivor already holds there wins.
    for (const role of await RoleGrant.find({ customerId: from }).lean<RoleDoc[]>()) {
      const slot = role._id.slice(role._id.indexOf(':') + 1);
      try {
        await RoleGrant.create({ ...role, _id: `${into}:${slot}`, customerId: into });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      await RoleGrant.deleteOne({ _id: role._id });
    }
  },

  async export(customerId) {
    const roles = await RoleGrant.find({ customerId }).lean<RoleDoc[]>();
    return { roles: roles.map((r) => ({ role: r.role, storeId: r.storeId?.toString() ?? null, grantedAt: iso(r.grantedAt) })) };
  },
};
