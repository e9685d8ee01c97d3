import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketActor } from '@shared/tickets';
import { testDatabaseUri } from '../../test/helpers';
import { TimelineEntry } from '../customers/model';
import { Notification, initAftersaleModels } from './model';
import { listNotifications } from './notifications';
import { createTicket, getTicket, listInbox, postMessage, transition } from './service';
import { runSlaPass } from './slaJob';

const HOUR = 3600_000;

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await Promise.all([initAftersaleModels(), TimelineEntry.init()]);
});
afterAll(async () => {
  await mongoose.disconnect();
});

/** A clock the test moves by hand. */
function clockAt(start: string) {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms: number) => (t += ms), at: (h: number) => new Date(new Date(start).getTime() + h * HOUR) };
}

const open = (storeId: Types.ObjectId, at: Date, type: 'repair' | 'complaint' | 'inquiry' = 'repair') =>
  createTicket(
    new Types.ObjectId(),
    { storeId: String(storeId), type, description: '鞋底开胶', photos: [], contact: { preference: 'wechat' } },
    { at },
  );

describe('SLA job', () => {
  it('flags at risk at 75 % of the first-response time, overdue at the deadline, notifying once per level', async () => {
    const storeId = new Types.ObjectId();
    const clock = clockAt('2031-01-01T00:00:00Z');
    const ticket = await open(storeId, clock.now()); // normal: first response 24 h

    await runSlaPass(clock.at(17.9));
    expect(await getTicket(ticket._id)).toMatchObject({ atRisk: false, overdue: false });

    await runSlaPass(clock.at(18));
    expect(await getTicket(ticket._id)).toMatchObject({ atRisk: true, overdue: false, sla: { firstResponseLevel: 'at_risk' } });
    await runSlaPass(clock.at(19));
    expect(await Notification.countDocuments({ ticketId: ticket._id })).toBe(1);

    // Several instances passing at once still notify once.
    await Promise.all([1, 2, 3, 4].map(() => runSlaPass(clock.at(24))));
    expect(await getTicket(ticket._id)).toMatchObject({ overdue: true, sla: { firstResponseLevel: 'overdue' } });
    const notes = await Notification.find({ ticketId: ticket._id }).sort({ at: 1 }).lean();
    expect(notes.map((n) => n.kind)).toEqual(['sla.at_risk', 'sla.overdue']);
    expect(notes.every((n) => n.audience === 'store_managers' && String(n.storeId) === String(storeId))).toBe(true);
    expect((await listNotifications({ storeId })).length).toBe(2);
  });

  it('stops the first-response clock on the first staff answer, and clears the flags', async () => {
    const storeId = new Types.ObjectId();
    const clerk: TicketActor = { kind: 'staff', staffId: String(new Types.ObjectId()), role: 'clerk', storeId: String(storeId) };
    const clock = clockAt('2031-02-01T00:00:00Z');
    const ticket = await open(storeId, clock.now(), 'complaint'); // high: 4 h first response, 24 h resolution
    await runSlaPass(clock.at(3.5));
    expect((await getTicket(ticket._id))?.atRisk).toBe(true);
    await postMessage(ticket._id, clerk, { text: '您好，马上为您处理', idempotencyKey: 'reply-00001' }, clock.at(3.6));
    expect(await getTicket(ticket._id)).toMatchObject({ atRisk: false, overdue: false });
    await runSlaPass(clock.at(5)); // past the first-response deadline, but it was met
    expect(await getTicket(ticket._id)).toMatchObject({ overdue: false, sla: { firstResponseLevel: 'at_risk' } });
    await runSlaPass(clock.at(18)); // 75 % of 24 h
    expect(await getTicket(ticket._id)).toMatchObject({ atRisk: true, overdue: false, sla: { resolutionLevel: 'at_risk' } });
    await transition(ticket._id, 'accept', clerk, {}, clock.at(19));
    await transition(ticket._id, 'start', clerk, {}, clock.at(19));
    await transition(ticket._id, 'resolve', clerk, { resolution: '已退款' }, clock.at(20));
    await runSlaPass(clock.at(30));
    expect(await getTicket(ticket._id)).toMatchObject({ state: 'resolved', atRisk: false, overdue: false });
    expect(
      (await Notification.find({ ticketId: ticket._id }).lean()).map((n) => `${n.kind}:${(n.data as { clock: string }).clock}`),
    ).toEqual(['sla.at_risk:firstResponse', 'sla.at_risk:resolution']);
  });

  it('raises no alarm while waiting on the customer', async () => {
    const storeId = new Types.ObjectId();
    const clerk: TicketActor = { kind: 'staff', staffId: String(new Types.ObjectId()), role: 'clerk', storeId: String(storeId) };
    const clock = clockAt('2031-03-01T00:00:00Z');
    const ticket = await open(storeId, clock.now());
    await transition(ticket._id, 'accept', clerk, {}, clock.at(1));
    await transition(ticket._id, 'start', clerk, {}, clock.at(1));
    await transition(ticket._id, 'request_info', clerk, { reason: '请拍照' }, clock.at(2));
    await runSlaPass(clock.at(100));
    expect(await Notification.countDocuments({ ticketId: ticket._id })).toBe(0);
  });
});

describe('staff inbox', () => {
  it('lists open tickets by the nearest deadline with badges read from the clock', async () => {
    const storeId = new Types.ObjectId();
    const clock = clockAt('2031-04-01T00:00:00Z');
    const inquiry = await open(storeId, clock.at(0), 'inquiry'); // low: first response due at 72 h
    const repair = await open(storeId, clock.at(1), 'repair'); // normal: due at 25 h
    const complaint = await open(storeId, clock.at(2), 'complaint'); // high: due at 6 h
    const other = await open(new Types.ObjectId(), clock.at(0), 'complaint');

    const inbox = await listInbox({ storeId }, { now: clock.at(5) });
    expect(inbox.map((i) => String(i.ticket._id))).toEqual([complaint, repair, inquiry].map((t) => String(t._id)));
    expect(inbox.map((i) => i.badge)).toEqual(['at_risk', 'on_track', 'on_track']);
    expect((await listInbox({ storeId }, { now: clock.at(30) })).map((i) => i.badge)).toEqual(['overdue', 'overdue', 'on_track']);
    expect(inbox.some((i) => String(i.ticket._id) === String(other._id))).toBe(false);
  });
});
