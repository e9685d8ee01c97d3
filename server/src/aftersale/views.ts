// Presenters: one pure function per resource, typed by the response schemas in shared/tickets.ts.
import {
  STATE_LABELS,
  type AftersaleStoreView,
  type StaffNotificationView,
  type TicketActor,
  type TicketMessageView,
  type TicketPhotoView,
  type TicketState,
  type TicketView,
} from '@shared/tickets';
import type { StoreDoc } from '../staff';
import type { NotificationDoc, TicketDoc, TicketMessageDoc } from './model';
import type { PhotoMeta } from './photos';
import { actionsFor, ticketNumber } from './service';
import { slaBadge } from './sla';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function ticketView(t: TicketDoc, actor: TicketActor, now = new Date()): TicketView {
  const staffView = actor.kind !== 'customer';
  return {
    id: String(t._id),
    number: ticketNumber(t._id),
    customerId: String(t.customerId),
    storeId: t.storeId ? String(t.storeId) : null,
    type: t.type,
    orderRef: t.orderRef ?? null,
    description: t.description,
    photos: t.photos ?? [],
    contact: { preference: t.contact?.preference ?? 'wechat', ...(t.contact?.phone ? { phone: t.contact.phone } : {}) },
    priority: t.priority,
    state: t.state,
    stateLabel: STATE_LABELS[t.state as TicketState],
    source: t.source ?? 'mini_program',
    sla: {
      firstResponseDue: iso(t.sla?.firstResponseDue),
      firstRespondedAt: iso(t.sla?.firstRespondedAt),
      resolutionDue: iso(t.sla?.resolutionDue),
      badge: slaBadge({ state: t.state as TicketState, sla: t.sla }, now),
    },
    ...(staffView ? { atRisk: t.atRisk ?? false, overdue: t.overdue ?? false, escalations: t.escalations ?? 0 } : {}),
    resolution: t.resolution ?? null,
    resolvedAt: iso(t.resolvedAt),
    rating: t.rating?.stars ? { stars: t.rating.stars, comment: t.rating.comment ?? null } : null,
    history: (t.history ?? []).map((h) => ({
      action: h.action,
      from: (h.from as TicketState | undefined) ?? null,
      to: (h.to as TicketState | undefined) ?? null,
      at: h.at.toISOString(),
      ...(h.actor?.kind ? { by: h.actor.kind } : {}),
      reason: h.reason ?? null,
    })),
    allowedActions: actionsFor(t, actor, now),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

export const ticketMessageView = (m: TicketMessageDoc): TicketMessageView => ({
  id: String(m._id),
  from: m.author?.kind === 'customer' ? 'customer' : 'staff',
  text: m.text,
  photos: m.photos ?? [],
  at: m.at.toISOString(),
  ...(m.delivery
    ? {
        delivery: {
          ...(m.delivery.channel ? { channel: m.delivery.channel } : {}),
          status: m.delivery.status,
          ...(m.delivery.errcode !== undefined && m.delivery.errcode !== null ? { errcode: m.delivery.errcode } : {}),
          at: m.delivery.at.toISOString(),
        },
      }
    : {}),
});

export const ticketPhotoView = (ticketId: string, p: PhotoMeta): TicketPhotoView => ({
  id: p.id,
  url: `/api/v1/tickets/${ticketId}/photos/${p.id}`,
  contentType: p.contentType,
  size: p.size,
  at: p.at.toISOString(),
});

export const staffNotificationView = (n: NotificationDoc): StaffNotificationView => ({
  id: String(n._id),
  kind: n.kind,
  title: n.title,
  ticketId: String(n.ticketId),
  at: n.at.toISOString(),
  read: !!n.readAt,
});

export const aftersaleStoreView = (s: StoreDoc): AftersaleStoreView => ({ id: String(s._id), name: s.name, city: s.city ?? null });
