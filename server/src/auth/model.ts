import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';

/**
 * A signed-in session. Only the SHA-256 of the bearer token is stored: a database leak gives no
 * usable tokens. Expired sessions are removed by a sweep job (no TTL indexes on the embedded engine).
 */
const sessionSchema = new Schema(
  {
    tokenHash: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
sessionSchema.index({ tokenHash: 1 }, { unique: true });
sessionSchema.index({ customerId: 1 });
sessionSchema.index({ expiresAt: 1 });

export type SessionDoc = InferSchemaType<typeof sessionSchema> & { _id: Types.ObjectId };
export const Session = mongoose.model('Session', sessionSchema, 'sessions');
