import mongoose, { Schema, type InferSchemaType, type Types } from 'mongoose';
import { CONTACT_PREFERENCES, TICKET_ACTIONS, TICKET_PRIORITIES, TICKET_STATES, TICKET_TYPES } from '@shared/tickets';

const LEVELS = ['none', 'at_risk', 'overdue'] as const;

/** One line of a ticket's history: transitions, plus creation, escalation and priority changes. */
const historySchema = new Schema(
  {
    action: { type: String, enum: [...TICKET_ACTIONS, 'create', 'escalate', 'set_priority', 'rate'], required: true },
    from: { type: String, enum: TICKET_STATES },
    to: { type: String, enum: TICKET_STATES },
    at: { type: Date, required: true },
    actor: {
      kind: { type: String, enum: ['customer', 'staff', 'admin', 'system'], required: true },
      id: String,
      role: String,
    },
    reason: String,
    resolution: String,
    note: String,
    priority: { type: String, enum: TICKET_PRIORITIES },
  },
  { _id: false },
);

const ticketSchema = new Schema(
  {
    customerId: { type: Schema.Types.ObjectId, required: true },
    /** The store that handles it; missing for complaints opened from the official account until assigned. */
    storeId: { type: Schema.Types.ObjectId },
    type: { type: String, enum: TICKET_TYPES, required: true },
    orderRef: { type: String, personal: true },
    description: { type: String, required: true, personal: true },
    photos: { type: [String], default: [] },
    contact: {
      preference: { type: String, enum: CONTACT_PREFERENCES, default: 'wechat' },
      phone: { type: String, personal: true },
    },
    priority: { type: String, enum: TICKET_PRIORITIES, required: true },
    state: { type: String, enum: TICKET_STATES, required: true, default: 'submitted' },
    /** Bumped by every transition; transitions are guarded on it so a stale view never applies. */
    version: { type: Number, required: true, default: 0 },
    source: { type: String, enum: ['mini_program', 'official_account', 'store'], default: 'mini_program' },
    history: { type: [historySchema], default: [] },
    sla: {
      /** Bumped when the deadlines are recomputed, so alarms of the new deadlines are new alarms. */
      cycle: { type: Number, default: 0 },
      startedAt: Date,
      firstResponseDue: Date,
      firstResponseRiskAt: Date,
      firstRespondedAt: Date,
      firstResponseLevel: { type: String, enum: LEVELS, default: 'none' },
      resolutionDue: Date,
      resolutionRiskAt: Date,
      resolutionLevel: { type: String, enum: LEVELS, default: 'none' },
      /** The next deadline while open; unset once nothing is owed. */
      nextDueAt: Date,
    },
    atRisk: { type: Boolean, default: false },
    overdue: { type: Boolean, default: false },
    escalations: { type: Number, default: 0 },
    lastEscalatedAt: Date,
    lastMessageAt: Date,
    /** The customer accepted the ticket-update subscribe template when filing: one subscribe send. */
    subscribeAccepted: { type: Boolean, default: false },
    /** When that one subscribe send was used (the claim itself is a unique SubscribeUse insert). */
    subscribeUsedAt: Date,
    resolution: String,
    resolvedAt: Date,
    closedAt: Date,
    rating: { stars: Number, comment: String, at: Date },
  },
  { timestamps: true },
);
ticketSchema.index({ customerId: 1, createdAt: -1 });
ticketSchema.index({ customerId: 1, type: 1, state: 1 });
ticketSchema.index({ storeId: 1, state: 1, 'sla.nextDueAt': 1 });
ticketSchema.index({ state: 1, 'sla.nextDueAt': 1 });
ticketSchema.index({ state: 1, 'sla.firstResponseRiskAt': 1 });
ticketSchema.index({ state: 1, 'sla.resolutionRiskAt': 1 });

/** The conversation on a ticket. The (ticketId, idempotencyKey) index makes a retried post the same message. */
const ticketMessageSchema = new Schema({
  ticketId: { type: Schema.Types.ObjectId, required: true },
  customerId: { type: Schema.Types.ObjectId, required: true },
  author: {
    kind: { type: String, enum: ['customer', 'staff', 'admin', 'system'], required: true },
    id: String,
    role: String,
  },
  text: { type: String, required: true },
  photos: { type: [String], default: [] },
  idempotencyKey: { type: String, required: true },
  at: { type: Date, required: true },
  /** Set once the message is on the customer's timeline; a retry finishes the job if it is not. */
  onTimeline: { type: Boolean, default: false },
  /**
   * How a staff message reaches the customer outside the mini-program: `pending` from the moment it
   * is stored, then sent | failed | no_channel. A pending one is finished by the next retry of the
   * post or by the delivery job, whichever comes first.
   */
  delivery: {
    type: new Schema(
      {
        channel: { type: String, enum: ['official_account', 'subscribe', 'none'] },
        status: { type: String, enum: ['pending', 'sent', 'failed', 'no_channel'], required: true },
        errcode: Number,
        at: { type: Date, required: true },
      },
      { _id: false },
    ),
    required: false,
  },
});
ticketMessageSchema.index({ ticketId: 1, idempotencyKey: 1 }, { unique: true });
ticketMessageSchema.index({ ticketId: 1, at: 1 });
ticketMessageSchema.index({ customerId: 1, at: -1 });
ticketMessageSchema.index({ 'delivery.status': 1, 'delivery.at': 1 });

/** What the staff inbox shows as alerts. dedupeKey makes each alert happen once. */
const notificationSchema = new Schema({
  dedupeKey: { type: String, required: true },
  /** store_managers of storeId, or admins when the ticket has no store yet. */
  audience: { type: String, enum: ['store_managers', 'admins'], required: true },
  storeId: { type: Schema.Types.ObjectId },
  customerId: { type: Schema.Types.ObjectId, required: true },
  ticketId: { type: Schema.Types.ObjectId, required: true },
  kind: { type: String, enum: ['sla.at_risk', 'sla.overdue', 'complaint.opened', 'complaint.escalated', 'rating.low'], required: true },
  title: { type: String, required: true },
  data: { type: Schema.Types.Mixed, default: {} },
  at: { type: Date, required: true },
  readAt: Date,
});
notificationSchema.index({ dedupeKey: 1 }, { unique: true });
notificationSchema.index({ audience: 1, storeId: 1, at: -1 });
notificationSchema.index({ customerId: 1, at: -1 });

/** One row per used subscribe acceptance; the unique _id (the ticket id) makes the use happen once. */
const subscribeUseSchema = new Schema({
  _id: { type: String, required: true },
  ticketId: { type: Schema.Types.ObjectId, required: true },
  messageId: { type: Schema.Types.ObjectId, required: true },
  at: { type: Date, required: true },
});

export type TicketDoc = InferSchemaType<typeof ticketSchema> & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
export type TicketMessageDoc = InferSchemaType<typeof ticketMessageSchema> & { _id: Types.ObjectId };
export type NotificationDoc = InferSchemaType<typeof notificationSchema> & { _id: Types.ObjectId };

export const Ticket = mongoose.model('Ticket', ticketSchema, 'tickets');
export const TicketMessage = mongoose.model('TicketMessage', ticketMessageSchema, 'ticket_messages');
export const Notification = mongoose.model('Notification', notificationSchema, 'notifications');
export const SubscribeUse = mongoose.model('TicketSubscribeUse', subscribeUseSchema, 'ticket_subscribe_uses');

export async function initAftersaleModels(): Promise<void> {
  const { AftersaleLock } = await import('./lock');
  await Promise.all([Ticket.init(), TicketMessage.init(), Notification.init(), SubscribeUse.init(), AftersaleLock.init()]);
}
