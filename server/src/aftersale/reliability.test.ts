import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerIdentity, identityKey, TimelineEntry } from '../customers/model';
import { appendTimeline } from '../customers/service';
import { startTestApp, type TestApp } from '../../test/helpers';
import { OA_ENV } from '../../test/oaPush';
import { login, signInTwoStoreCast, type TwoStoreCast } from '../../test/session';
import { AftersaleLock } from './lock';
import { TicketMessage } from './model';
import { finishStaleDeliveries, STALE_PENDING_MS } from './replyDeliveryJob';

// Faults met while the engine restarted or an instance crashed, reproduced against the real server
// and database: a stored reply never delivered, a retried message on the timeline twice, a lock
// left by a dead instance blocking its ticket.

let app: TestApp;
let cast: TwoStoreCast;

beforeAll(async () => {
  app = await startTestApp({ ...OA_ENV, ADMIN_OPENIDS: 'rl-admin', LOG_LEVEL: 'error' });
  cast = await signInTwoStoreCast(app, 'rl');
});
afterAll(async () => {
  await app?.close();
});

const key = () => `k_${randomBytes(8).toString('hex')}`;

/** A customer following the official account who wrote to it an hour ago: replies go out as customer-service messages. */
async function follower() {
  const who = await login(app, `mp_${randomBytes(6).toString('hex')}`);
  const oaOpenid = `oa_${randomBytes(6).toString('hex')}`;
  const customerId = new Types.ObjectId(who.customerId);
  await CustomerIdentity.create({ _id: identityKey('oa_openid', oaOpenid), kind: 'oa_openid', value: oaOpenid, customerId });
  await appendTimeline(customerId, {
    type: 'oa.message',
    channel: 'official_account',
    summary: '你好',
    at: new Date(Date.now() - 3_600_000),
  });
  const ticket = await app.request('POST', '/api/v1/tickets', {
    token: who.token,
    body: { storeId: cast.storeId, type: 'repair', description: '表带断了' },
  });
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  return { ...who, oaOpenid, ticketId: ticket.body.id as string };
}

const csMessagesTo = async (openid: string) =>
  (await app.request('GET', `/__wechat/_sim/custom-messages?touser=${openid}`)).body.messages as Array<{ text: { content: string } }>;

/** What a first attempt leaves when the engine goes away right after the message is stored: the 503 the clerk saw. */
async function storedByADeadAttempt(ticketId: string, text: string, idempotencyKey: string, at = new Date()) {
  const ticket = new Types.ObjectId(ticketId);
  const { customerId } = (await TicketMessage.db.collection('tickets').findOne({ _id: ticket }))!;
  await TicketMessage.collection.insertOne({
    _id: new Types.ObjectId(),
    ticketId: ticket,
    customerId,
    author: { kind: 'staff', id: cast.clerk.customerId, role: 'clerk' },
    text,
    photos: [],
    idempotencyKey,
    at,
    onTimeline: false,
    delivery: { status: 'pending', at },
  });
}

describe('staff reply delivery is a durable state', () => {
  it('a reply stored before a 503 is delivered by the retry with the same idempotency key', async () => {
    const who = await follower();
    const idempotencyKey = key();
    await storedByADeadAttempt(who.ticketId, '已为您安排换新', idempotencyKey);

    const retry = await app.request('POST', `/api/v1/tickets/${who.ticketId}/messages`, {
      token: cast.clerk.token,
      body: { text: '已为您安排换新', idempotencyKey },
    });
    expect(retry.status).toBeLessThan(300);
    expect(retry.body.delivery).toMatchObject({ channel: 'official_account', status: 'sent' });
    const sent = await csMessagesTo(who.oaOpenid);
    expect(sent.map((m) => m.text.content)).toEqual([expect.stringContaining('已为您安排换新')]);
    // A further retry sends nothing more.
    await app.request('POST', `/api/v1/tickets/${who.ticketId}/messages`, {
      token: cast.clerk.token,
      body: { text: '已为您安排换新', idempotencyKey },
    });
    expect(await csMessagesTo(who.oaOpenid)).toHaveLength(1);
  });

  it('a reply nobody retried is finished by the delivery job, once, even racing a late retry', async () => {
    const who = await follower();
    const idempotencyKey = key();
    const at = new Date(Date.now() - STALE_PENDING_MS - 1_000);
    await storedByADeadAttempt(who.ticketId, '配件已寄出', idempotencyKey, at);

    const [finished, retry] = await Promise.all([
      finishStaleDeliveries(app.wechat, app.log),
      app.request('POST', `/api/v1/tickets/${who.ticketId}/messages`, {
        token: cast.clerk.token,
        body: { text: '配件已寄出', idempotencyKey },
      }),
    ]);
    expect(finished).toBeGreaterThanOrEqual(1);
    expect(retry.status).toBeLessThan(300);
    const stored = await TicketMessage.findOne({ idempotencyKey }).lean();
    expect(stored!.delivery).toMatchObject({ channel: 'official_account', status: 'sent' });
    expect(await csMessagesTo(who.oaOpenid)).toHaveLength(1);
    const outcomes = await TimelineEntry.find({ type: 'ticket.reply_delivery', 'data.messageId': String(stored!._id) }).lean();
    expect(outcomes).toHaveLength(1);
  });
});

describe('timeline writes are keyed by their source record', () => {
  it('a retried message is on the timeline once, even when the first attempt died after writing it', async () => {
    const who = await follower();
    const idempotencyKey = key();
    const body = { text: '请问什么时候能修好？', idempotencyKey };
    expect((await app.request('POST', `/api/v1/tickets/${who.ticketId}/messages`, { token: who.token, body })).status).toBe(201);
    const message = await TicketMessage.findOne({ idempotencyKey }).lean();
    // The crash window: the timeline entry was written, the flag saying so was not.
    await TicketMessage.updateOne({ _id: message!._id }, { $set: { onTimeline: false } });

    const retry = await app.request('POST', `/api/v1/tickets/${who.ticketId}/messages`, { token: who.token, body });
    expect(retry.status).toBe(200);
    const entries = await TimelineEntry.find({ type: 'ticket.message', 'data.messageId': String(message!._id) }).lean();
    expect(entries).toHaveLength(1);
    expect((await TicketMessage.findById(message!._id).lean())!.onTimeline).toBe(true);
  });
});

describe('locks after a crash', () => {
  it('a lock left by a killed instance frees its ticket within one short lease', async () => {
    const who = await follower();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'server/test/fixtures/holdLock.ts', app.config.mongodbUri!, `ticket:${who.ticketId}`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    expect(chunk.toString()).toContain('held');
    const orphan = await AftersaleLock.findById(`ticket:${who.ticketId}`).lean();
    expect(orphan!.holder).toMatch(/^\d+-/); // the owner names its instance
    child.kill('SIGKILL');
    await once(child, 'exit');

    // The clerk accepts the ticket right after the crash: the request waits out the dead holder's
    // lease (LOCK_LEASE_MS), well within its patience, instead of answering "This ticket is busy".
    const accepted = await app.request('POST', `/api/v1/tickets/${who.ticketId}/transitions`, {
      token: cast.clerk.token,
      body: { action: 'accept' },
    });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.state).toBe('accepted');
  });
});
