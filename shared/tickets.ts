// The after-sale ticket: its states, the transitions between them and who may make each one.
// Server (authorization + atomic guard) and mini-program (which buttons to show) both read this table.
import { z } from 'zod';

export const TICKET_STATES = [
  'submitted',
  'accepted',
  'in_progress',
  'awaiting_customer',
  'resolved',
  'closed',
  'rejected',
  'cancelled',
] as const;
export type TicketState = (typeof TICKET_STATES)[number];

/** States in which the store still owes the customer something (SLA clocks run). */
export const OPEN_STATES: readonly TicketState[] = ['submitted', 'accepted', 'in_progress', 'awaiting_customer'];
/** States in which no one may write on the ticket any more. */
export const FINAL_STATES: readonly TicketState[] = ['closed', 'rejected', 'cancelled'];

export const TICKET_TYPES = ['repair', 'return_refund', 'exchange', 'complaint', 'inquiry'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const TICKET_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const CONTACT_PREFERENCES = ['wechat', 'phone', 'none'] as const;
export type ContactPreference = (typeof CONTACT_PREFERENCES)[number];

/** Who is acting, seen from one ticket: its owner, staff of its store, or an admin. */
export const TICKET_ROLES = ['customer', 'clerk', 'manager', 'admin'] as const;
export type TicketRole = (typeof TICKET_ROLES)[number];

export const TICKET_ACTIONS = ['accept', 'start', 'request_info', 'resume', 'resolve', 'close', 'reject', 'cancel', 'reopen'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** How long after resolution the customer may reopen. */
export const REOPEN_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface TicketTransition {
  action: TicketAction;
  from: readonly TicketState[];
  to: TicketState;
  roles: readonly TicketRole[];
  /** Fields the transition's body must carry (non-empty). */
  requires: readonly ('reason' | 'resolution')[];
  label: { zh: string; en: string };
}

const STAFF: readonly TicketRole[] = ['clerk', 'manager', 'admin'];

export const TICKET_TRANSITIONS: readonly TicketTransition[] = [
  { action: 'accept', from: ['submitted'], to: 'accepted', roles: STAFF, requires: [], label: { zh: '受理', en: 'Accept' } },
  { action: 'start', from: ['accepted'], to: 'in_progress', roles: STAFF, requires: [], label: { zh: '开始处理', en: 'Start work' } },
  {
    action: 'request_info',
    from: ['in_progress'],
    to: 'awaiting_customer',
    roles: STAFF,
    requires: ['reason'],
    label: { zh: '请顾客补充', en: 'Ask the customer' },
  },
  {
    // The customer answers, or staff take the ticket back without waiting.
    action: 'resume',
    from: ['awaiting_customer'],
    to: 'in_progress',
    roles: ['customer', 'clerk', 'manager', 'admin'],
    requires: [],
    label: { zh: '继续处理', en: 'Resume' },
  },
  {
    action: 'resolve',
    from: ['in_progress'],
    to: 'resolved',
    roles: STAFF,
    requires: ['resolution'],
    label: { zh: '已解决', en: 'Resolve' },
  },
  {
    // The customer confirms, or staff close a resolved ticket.
    action: 'close',
    from: ['resolved'],
    to: 'closed',
    roles: ['customer', 'clerk', 'manager', 'admin'],
    requires: [],
    label: { zh: '关闭', en: 'Close' },
  },
  {
    action: 'reject',
    from: ['submitted', 'accepted'],
    to: 'rejected',
    roles: STAFF,
    requires: ['reason'],
    label: { zh: '驳回', en: 'Reject' },
  },
  { action: 'cancel', from: ['submitted'], to: 'cancelled', roles: ['customer'], requires: [], label: { zh: '撤销', en: 'Cancel' } },
  {
    action: 'reopen',
    from: ['resolved', 'closed'],
    to: 'in_progress',
    roles: ['customer'],
    requires: ['reason'],
    label: { zh: '重新打开', en: 'Reopen' },
  },
];

export const STATE_LABELS: Record<TicketState, { zh: string; en: string }> = {
  submitted: { zh: '已提交', en: 'Submitted' },
  accepted: { zh: '已受理', en: 'Accepted' },
  in_progress: { zh: '处理中', en: 'In progress' },
  awaiting_customer: { zh: '待您补充', en: 'Awaiting customer' },
  resolved: { zh: '已解决', en: 'Resolved' },
  closed: { zh: '已关闭', en: 'Closed' },
  rejected: { zh: '已驳回', en: 'Rejected' },
  cancelled: { zh: '已撤销', en: 'Cancelled' },
};

export const TYPE_LABELS: Record<TicketType, { zh: string; en: string }> = {
  repair: { zh: '维修', en: 'Repair' },
  return_refund: { zh: '退货退款', en: 'Return & refund' },
  exchange: { zh: '换货', en: 'Exchange' },
  complaint: { zh: '投诉', en: 'Complaint' },
  inquiry: { zh: '咨询', en: 'Inquiry' },
};

/** Someone acting on tickets. Staff carry the store they work for; ids are strings on the wire. */
export type TicketActor =
  | { kind: 'customer'; customerId: string }
  | { kind: 'staff'; staffId: string; role: 'clerk' | 'manager'; storeId: string }
  | { kind: 'admin'; adminId: string }
  | { kind: 'system' };

/** The part of a ticket the rules look at. */
export interface TicketRuleView {
  state: TicketState;
  customerId: string;
  storeId?: string | null | undefined;
  resolvedAt?: Date | string | null | undefined;
}

/** The role the actor has on this ticket, or null when it has none (someone else's ticket, another store). */
export function roleOn(ticket: TicketRuleView, actor: TicketActor): TicketRole | null {
  switch (actor.kind) {
    case 'customer':
      return actor.customerId === ticket.customerId ? 'customer' : null;
    case 'staff':
      return ticket.storeId != null && actor.storeId === ticket.storeId ? actor.role : null;
    case 'admin':
      return 'admin';
    default:
      return null;
  }
}

export function transitionFor(action: TicketAction): TicketTransition {
  const transition = TICKET_TRANSITIONS.find((t) => t.action === action);
  if (!transition) throw new Error(`No transition named ${action}`);
  return transition;
}

export type TransitionRefusal =
  | 'NO_ROLE' // the actor has nothing to do with this ticket
  | 'ROLE_NOT_ALLOWED' // the actor's role may not make this transition
  | 'INVALID_STATE' // not from this state
  | 'REOPEN_WINDOW_PASSED'
  | 'MISSING_FIELD';

export type TransitionCheck =
  { ok: true; transition: TicketTransition; role: TicketRole } | { ok: false; refusal: TransitionRefusal; message: string; field?: string };

export interface TransitionData {
  reason?: string | undefined;
  resolution?: string | undefined;
  note?: string | undefined;
}

/** Whether the actor may take this action on the ticket now, with this data. */
export function canTransition(
  ticket: TicketRuleView,
  action: TicketAction,
  actor: TicketActor,
  data: TransitionData = {},
  now: Date = new Date(),
): TransitionCheck {
  const transition = transitionFor(action);
  const role = roleOn(ticket, actor);
  if (!role) return { ok: false, refusal: 'NO_ROLE', message: 'This ticket is not yours to act on.' };
  if (!transition.roles.includes(role)) {
    return { ok: false, refusal: 'ROLE_NOT_ALLOWED', message: `A ${role} may not ${action} a ticket.` };
  }
  if (!transition.from.includes(ticket.state)) {
    return { ok: false, refusal: 'INVALID_STATE', message: `A ${ticket.state} ticket cannot be ${action}ed.` };
  }
  if (action === 'reopen') {
    const resolvedAt = ticket.resolvedAt ? new Date(ticket.resolvedAt).getTime() : NaN;
    if (!(now.getTime() - resolvedAt <= REOPEN_WINDOW_MS)) {
      return { ok: false, refusal: 'REOPEN_WINDOW_PASSED', message: 'A ticket can be reopened within 7 days of its resolution.' };
    }
  }
  for (const field of transition.requires) {
    if (!data[field]?.trim()) {
      return { ok: false, refusal: 'MISSING_FIELD', message: `${action} needs a ${field}.`, field };
    }
  }
  return { ok: true, transition, role };
}

/** Actions the actor may take on the ticket now (fields aside): the buttons a page shows. */
export function allowedActions(ticket: TicketRuleView, actor: TicketActor, now: Date = new Date()): TicketAction[] {
  const filled: TransitionData = { reason: 'x', resolution: 'x' };
  return TICKET_ACTIONS.filter((action) => canTransition(ticket, action, actor, filled, now).ok);
}

// ---- wire schemas ----

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'must be an id');
const text = (max: number) => z.string().trim().min(1).max(max);

export const createTicketSchema = z.object({
  storeId: objectId,
  type: z.enum(TICKET_TYPES),
  orderRef: z.string().trim().min(1).max(64).optional(),
  description: text(2000),
  /** References to uploaded images (media ids or URLs the upload endpoint handed out). */
  photos: z.array(z.string().trim().min(1).max(512)).max(9).default([]),
  contact: z
    .object({
      preference: z.enum(CONTACT_PREFERENCES),
      phone: z
        .string()
        .regex(/^\+?[0-9 -]{6,20}$/, 'must be a phone number')
        .optional(),
    })
    .refine((c) => c.preference !== 'phone' || !!c.phone, { message: 'a phone number is needed', path: ['phone'] })
    .default({ preference: 'wechat' }),
  /** The customer accepted the ticket-update subscribe template (wx.requestSubscribeMessage) when filing. */
  subscribeAccepted: z.boolean().optional().default(false),
});
export type CreateTicketInput = z.infer<typeof createTicketSchema>;

export const transitionTicketSchema = z.object({
  action: z.enum(TICKET_ACTIONS),
  reason: z.string().trim().min(1).max(1000).optional(),
  resolution: z.string().trim().min(1).max(2000).optional(),
  note: z.string().trim().max(1000).optional(),
});
export type TransitionTicketInput = z.infer<typeof transitionTicketSchema>;

export const ticketMessageSchema = z.object({
  text: text(2000),
  photos: z.array(z.string().trim().min(1).max(512)).max(9).default([]),
  /** Chosen by the client per message; a retry with the same key is the same message. */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, - or _'),
});
export type TicketMessageInput = z.infer<typeof ticketMessageSchema>;

/** Staff set the priority; a new ticket's priority follows its type. */
export const setPrioritySchema = z.object({ priority: z.enum(TICKET_PRIORITIES) });

export const DEFAULT_PRIORITY: Record<TicketType, TicketPriority> = {
  complaint: 'high',
  return_refund: 'normal',
  exchange: 'normal',
  repair: 'normal',
  inquiry: 'low',
};

/** Codes of the 409s the ticket endpoints answer: in errors.ts with every other code. */
export { TicketErrorCode } from './errors';

export const rateTicketSchema = z.object({
  stars: z.number().int().min(1).max(5),
  comment: z.string().trim().max(500).optional(),
});

/** What the staff inbox shows next to each ticket. */
export type SlaBadge = 'overdue' | 'at_risk' | 'on_track' | 'none';

/** GET /api/v1/staff/tickets and /api/v1/staff/notifications: which store's inbox. */
export const inboxQuerySchema = z.object({
  storeId: objectId.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

// Responses of the ticket endpoints: what the server's presenters (aftersale/views.ts) produce and
// what the mini-program's client reads.
const isoTime = z.string();

export const ticketHistoryView = z.object({
  action: z.string(),
  from: z.enum(TICKET_STATES).nullable(),
  to: z.enum(TICKET_STATES).nullable(),
  at: isoTime,
  by: z.enum(['customer', 'staff', 'admin', 'system']).optional(),
  reason: z.string().nullable(),
});

export const ticketView = z.object({
  id: z.string(),
  /** Short number a person can read out. */
  number: z.string(),
  customerId: z.string(),
  storeId: z.string().nullable(),
  type: z.enum(TICKET_TYPES),
  orderRef: z.string().nullable(),
  description: z.string(),
  photos: z.array(z.string()),
  contact: z.object({ preference: z.enum(CONTACT_PREFERENCES), phone: z.string().optional() }),
  priority: z.enum(TICKET_PRIORITIES),
  state: z.enum(TICKET_STATES),
  stateLabel: z.object({ zh: z.string(), en: z.string() }),
  source: z.enum(['mini_program', 'official_account', 'store']),
  sla: z.object({
    firstResponseDue: isoTime.nullable(),
    firstRespondedAt: isoTime.nullable(),
    resolutionDue: isoTime.nullable(),
    badge: z.enum(['overdue', 'at_risk', 'on_track', 'none']),
  }),
  /** Staff views only. */
  atRisk: z.boolean().optional(),
  overdue: z.boolean().optional(),
  escalations: z.number().optional(),
  resolution: z.string().nullable(),
  resolvedAt: isoTime.nullable(),
  rating: z.object({ stars: z.number(), comment: z.string().nullable() }).nullable(),
  history: z.array(ticketHistoryView),
  allowedActions: z.array(z.enum(TICKET_ACTIONS)),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type TicketView = z.infer<typeof ticketView>;

export const ticketMessageView = z.object({
  id: z.string(),
  from: z.enum(['customer', 'staff']),
  text: z.string(),
  photos: z.array(z.string()),
  at: isoTime,
  /** How a staff message reached the customer outside the mini-program (no channel yet while pending). */
  delivery: z
    .object({
      channel: z.enum(['official_account', 'subscribe', 'none']).optional(),
      status: z.enum(['pending', 'sent', 'failed', 'no_channel']),
      errcode: z.number().optional(),
      at: isoTime,
    })
    .optional(),
});
export type TicketMessageView = z.infer<typeof ticketMessageView>;

export const ticketPhotoView = z.object({ id: z.string(), url: z.string(), contentType: z.string(), size: z.number(), at: isoTime });
export type TicketPhotoView = z.infer<typeof ticketPhotoView>;

export const staffNotificationView = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  ticketId: z.string(),
  at: isoTime,
  read: z.boolean(),
});
export type StaffNotificationView = z.infer<typeof staffNotificationView>;

export const aftersaleStoreView = z.object({ id: z.string(), name: z.string(), city: z.string().nullable() });
export type AftersaleStoreView = z.infer<typeof aftersaleStoreView>;

export const ticketList = z.object({ items: z.array(ticketView) });
export const ticketMessageList = z.object({ items: z.array(ticketMessageView) });
export const ticketPhotoList = z.object({ items: z.array(ticketPhotoView) });
export const staffNotificationList = z.object({ items: z.array(staffNotificationView) });
export const aftersaleStoreList = z.object({ items: z.array(aftersaleStoreView) });
