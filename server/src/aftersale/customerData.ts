import { Types } from 'mongoose';
import type { CustomerDataPart } from '../platform/customerData';
import { Notification, Ticket, TicketMessage, type TicketDoc, type TicketMessageDoc } from './model';
import { listTicketPhotos, TicketPhoto } from './photos';
import { ticketNumber } from './service';

/** Tickets, their conversation and photos, and the staff alerts about them. */
export const aftersaleData: CustomerDataPart = {
  module: 'aftersale',
  collections: ['tickets', 'ticket_messages', 'ticket_photos', 'notifications'],

  async erase(customerId) {
    // The ticket stays for the stores' service figures (type, store, states, times, SLA), under an id
    // that names nobody; what the person wrote or showed goes: text, phone, order, photos, messages.
    const anonymous = new Types.ObjectId();
    const tickets = await Ticket.find({ customerId }, { _id: 1, history: 1 }).lean<TicketDoc[]>();
    const ticketIds = tickets.map((t) => t._id);
    await TicketPhoto.deleteMany({ ticketId: { $in: ticketIds } });
    await TicketMessage.deleteMany({ $or: [{ ticketId: { $in: ticketIds } }, { customerId }] });
    await Notification.deleteMany({ customerId });
    for (const ticket of tickets) {
      const history = (ticket.history ?? []).map((h) => ({
        action: h.action,
        ...(h.from ? { from: h.from } : {}),
        ...(h.to ? { to: h.to } : {}),
        at: h.at,
        actor: { kind: h.actor?.kind ?? 'system', ...(h.actor?.kind === 'customer' ? {} : h.actor?.id ? { id: h.actor.id } : {}), ...(h.actor?.role ? { role: h.actor.role } : {}) },
        ...(h.priority ? { priority: h.priority } : {}),
      }));
      await Ticket.updateOne(
        { _id: ticket._id },
        {
          $set: { customerId: anonymous, description: '', photos: [], contact: { preference: 'none' }, history },
          $unset: { orderRef: '', resolution: '', 'rating.comment': '' },
        },
      );
    }
  },

  async merge(from, into) {
    await Ticket.updateMany({ customerId: from }, { $set: { customerId: into } });
    await TicketMessage.updateMany({ customerId: from }, { $set: { customerId: into } });
    await Notification.updateMany({ customerId: from }, { $set: { customerId: into } });
  },

  async export(customerId) {
    const tickets = await Ticket.find({ customerId }).sort({ createdAt: 1 }).lean<TicketDoc[]>();
    const ticketIds = tickets.map((t) => t._id);
    const [messages, photos] = await Promise.all([
      TicketMessage.find({ ticketId: { $in: ticketIds } }).sort({ at: 1, _id: 1 }).lean<TicketMessageDoc[]>(),
      Promise.all(tickets.map(async (t) => (await listTicketPhotos(t._id)).map((p) => ({ ticketId: String(t._id), ...p })))),
    ]);
    return {
      tickets: tickets.map((t) => ({
        id: String(t._id),
        number: ticketNumber(t._id),
        storeId: t.storeId ? String(t.storeId) : null,
        type: t.type,
        orderRef: t.orderRef ?? null,
        description: t.description,
        contact: { preference: t.contact?.preference ?? 'wechat', phone: t.contact?.phone ?? null },
        state: t.state,
        resolution: t.resolution ?? null,
        rating: t.rating?.stars ? { stars: t.rating.stars, comment: t.rating.comment ?? null } : null,
        createdAt: t.createdAt.toISOString(),
      })),
      ticketMessages: messages.map((m) => ({
        ticketId: String(m.ticketId),
        from: m.author?.kind === 'customer' ? 'customer' : 'staff',
        text: m.text,
        at: m.at.toISOString(),
      })),
      ticketPhotos: photos.flat().map((p) => ({
        ticketId: p.ticketId,
        id: p.id,
        url: `/api/v1/tickets/${p.ticketId}/photos/${p.id}`,
        contentType: p.contentType,
        size: p.size,
        at: p.at.toISOString(),
      })),
    };
  },
};
