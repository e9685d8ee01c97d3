import { Types } from 'mongoose';
import type { CustomerDataPart } from '../platform/customerData';
import { Notification, Ticket, TicketMessage, type TicketDoc, type TicketMessageDoc } from './model';
import { listTicketPhotos, TicketPhoto } from './photos';
import { ticketMessageView, ticketPhotoView, ticketView } from './views';

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
        actor: {
          kind: h.actor?.kind ?? 'system',
          ...(h.actor?.kind === 'customer' ? {} : h.actor?.id ? { id: h.actor.id } : {}),
          ...(h.actor?.role ? { role: h.actor.role } : {}),
        },
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
      TicketMessage.find({ ticketId: { $in: ticketIds } })
        .sort({ at: 1, _id: 1 })
        .lean<TicketMessageDoc[]>(),
      Promise.all(tickets.map(async (t) => (await listTicketPhotos(t._id)).map((p) => ({ ticketId: String(t._id), ...p })))),
    ]);
    const asOwner = { kind: 'customer' as const, customerId: String(customerId) };
    return {
      tickets: tickets.map((t) => ticketView(t, asOwner)),
      ticketMessages: messages.map((m) => ({ ticketId: String(m.ticketId), ...ticketMessageView(m) })),
      ticketPhotos: photos.flat().map(({ ticketId, ...p }) => ({ ticketId, ...ticketPhotoView(ticketId, p) })),
    };
  },
};
