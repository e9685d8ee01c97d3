import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUri } from '../../test/helpers';
import { TimelineEntry } from '../customers/model';
import { listTimeline } from '../customers/service';
import { escalateFromMessage, ticketStatusSummary } from './escalation';
import { ComplaintScoreRecord, initComplaintModels } from './complaints/model';
import { baseModel } from './complaints';
import { Notification, Ticket, TicketMessage, initAftersaleModels } from './model';
import { createTicket, transition } from './service';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await Promise.all([initAftersaleModels(), initComplaintModels(), TimelineEntry.init()]);
});
afterAll(async () => {
  await mongoose.disconnect();
});

describe('escalateFromMessage', () => {
  it('leaves calm messages alone', async () => {
    const customerId = new Types.ObjectId();
    const result = await escalateFromMessage(customerId, '请问怎么申请退款？');
    expect(result).toMatchObject({ escalated: false, score: { level: 'none' } });
    expect(await Ticket.countDocuments({ customerId })).toBe(0);
  });

  it('leaves a calm question about complaining alone, and records how each message was scored', async () => {
    const customerId = new Types.ObjectId();
    const at = new Date('2031-04-01T00:00:00Z');
    for (const [i, text] of ['我想问一下投诉流程是什么，门店的事', 'How do I complain about a store?'].entries()) {
      const result = await escalateFromMessage(customerId, text, new Date(at.getTime() + i));
      expect(result.escalated, text).toBe(false);
      expect(result.score.level, text).not.toBe('strong');
    }
    expect(await Ticket.countDocuments({ customerId })).toBe(0);
    const scores = await ComplaintScoreRecord.find({ customerId }).lean();
    expect(scores).toHaveLength(2);
    expect(scores.every((s) => s.modelVersion === baseModel().version && s.level !== 'strong')).toBe(true);
  });

  it('escalates anger with no complaint word in it: danger, threats to go public, deadlines', async () => {
    for (const text of ['取暖器用了半小时插座就烧黑了，家里有老人孩子，太危险了，马上派人来', '别再敷衍我了，明天之前不退钱我就找记者']) {
      const customerId = new Types.ObjectId();
      const result = await escalateFromMessage(customerId, text);
      expect(result, text).toMatchObject({ escalated: true, created: true, score: { level: 'strong', modelVersion: baseModel().version } });
      const recorded = await ComplaintScoreRecord.findOne({ customerId }).lean();
      expect(recorded).toMatchObject({ level: 'strong', modelVersion: baseModel().version });
      expect(String(recorded?.ticketId)).toBe(result.ticketId);
    }
  });

  it('opens a high-priority complaint for a strong message, tells the managers and answers the follower', async () => {
    const customerId = new Types.ObjectId();
    const storeId = new Types.ObjectId();
    // The customer's last store handles the complaint.
    await createTicket(customerId, {
      storeId: String(storeId),
      type: 'repair',
      description: '修表',
      photos: [],
      contact: { preference: 'wechat' },
    });
    const result = await escalateFromMessage(customerId, '骗子公司，收了钱不发货，我要去12315投诉！！');
    expect(result).toMatchObject({ escalated: true, created: true, score: { level: 'strong' } });
    expect(result.reply).toContain(result.ticketNumber);
    const ticket = await Ticket.findById(result.ticketId).lean();
    expect(ticket).toMatchObject({ type: 'complaint', priority: 'high', state: 'submitted', source: 'official_account' });
    expect(String(ticket?.storeId)).toBe(String(storeId));
    const notes = await Notification.find({ ticketId: ticket?._id }).lean();
    expect(notes.map((n) => [n.kind, n.audience])).toEqual([['complaint.opened', 'store_managers']]);
    expect((await listTimeline(customerId, { types: ['ticket.created'] })).length).toBe(2);
  });

  it('opens exactly one ticket for ten concurrent strong messages, escalating it for the rest', async () => {
    const customerId = new Types.ObjectId();
    const at = new Date('2031-05-01T00:00:00Z');
    const texts = Array.from({ length: 10 }, (_, i) => `I want a refund NOW, this is a scam!!! (${i})`);
    const results = await Promise.all(texts.map((t, i) => escalateFromMessage(customerId, t, new Date(at.getTime() + i))));
    expect(results.every((r) => r.escalated)).toBe(true);
    expect(new Set(results.map((r) => r.ticketId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await Ticket.countDocuments({ customerId })).toBe(1);
    const ticket = await Ticket.findOne({ customerId }).lean();
    expect(ticket?.escalations).toBe(9);
    expect(ticket?.storeId).toBeUndefined(); // no store known: admins get it
    expect(await TicketMessage.countDocuments({ ticketId: ticket?._id })).toBe(9);
    const notes = await Notification.find({ ticketId: ticket?._id }).lean();
    expect(notes.filter((n) => n.kind === 'complaint.opened')).toHaveLength(1);
    expect(notes.filter((n) => n.kind === 'complaint.escalated')).toHaveLength(9);
    expect(notes.every((n) => n.audience === 'admins')).toBe(true);
  });

  it('raises the open complaint the customer filed, and opens a new one once that is closed', async () => {
    const customerId = new Types.ObjectId();
    const storeId = new Types.ObjectId();
    const filed = await createTicket(
      customerId,
      { storeId: String(storeId), type: 'complaint', description: '店员态度差', photos: [], contact: { preference: 'wechat' } },
      { priority: 'low' },
    );
    const first = await escalateFromMessage(customerId, '三天了没人理，我要投诉到消协！！');
    expect(first).toMatchObject({ created: false, ticketId: String(filed._id) });
    expect((await Ticket.findById(filed._id).lean())?.priority).toBe('high');

    await transition(filed._id, 'cancel', { kind: 'customer', customerId: String(customerId) });
    const second = await escalateFromMessage(customerId, '三天了没人理，我要投诉到消协！！');
    expect(second.created).toBe(true);
    expect(second.ticketId).not.toBe(String(filed._id));
  });
});

describe('ticketStatusSummary', () => {
  it('lists the recent tickets and counts the open ones', async () => {
    const customerId = new Types.ObjectId();
    expect((await ticketStatusSummary(customerId)).text).toContain('还没有');
    const storeId = String(new Types.ObjectId());
    const a = await createTicket(customerId, { storeId, type: 'repair', description: 'a', photos: [], contact: { preference: 'wechat' } });
    await createTicket(customerId, { storeId, type: 'exchange', description: 'b', photos: [], contact: { preference: 'wechat' } });
    await transition(a._id, 'cancel', { kind: 'customer', customerId: String(customerId) });
    const summary = await ticketStatusSummary(customerId);
    expect(summary.openCount).toBe(1);
    expect(summary.tickets).toHaveLength(2);
    expect(summary.text).toContain('已撤销');
    expect(summary.text).toContain('换货');
  });
});
