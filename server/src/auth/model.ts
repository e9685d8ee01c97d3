import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * A signed-in session. Only the SHA-256 of the bearer token is stored: a database leak gives no
 * usable tokens. Expired sessions are removed by a sweep job (no TTL indexes on the embedded engine).
 * The hash is the _id: every authenticated request looks it up, and the embedded engine serves
 * _id lookups from its primary key while other filters scan the collection.
 */
const sessionSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);
sessionSchema.index({ customerId: 1 });
sessionSchema.index({ expiresAt: 1 });

export type SessionDoc = InferSchemaType<typeof sessionSchema>;
export const Session = mongoose.model('Session', sessionSchema, 'sessions');
