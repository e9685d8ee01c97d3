import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

const storeSchema = new Schema(
  {
    name: { type: String, required: true },
    code: { type: String, required: true },
    address: { type: String, default: '' },
    city: { type: String, default: '' },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
storeSchema.index({ code: 1 }, { unique: true });

/**
 * A role held by a customer. `_id` is the slot the role fills (`<customerId>:admin` or
 * `<customerId>:<storeId>`), so a person holds at most one role per store and re-granting replaces it,
 * with no unique index over an optional storeId.
 */
const roleSchema = new Schema(
  {
    _id: { type: String },
    customerId: { type: Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ['clerk', 'manager', 'admin'], required: true },
    storeId: { type: Schema.Types.ObjectId },
    grantedBy: { type: Schema.Types.ObjectId },
    grantedAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
roleSchema.index({ customerId: 1 });
roleSchema.index({ storeId: 1 });

export type StoreDoc = InferSchemaType<typeof storeSchema> & { _id: Types.ObjectId };
export type RoleDoc = InferSchemaType<typeof roleSchema> & { _id: string };
export const Store = mongoose.model('Store', storeSchema, 'stores');
export const RoleGrant = mongoose.model('RoleGrant', roleSchema, 'staff_roles');
