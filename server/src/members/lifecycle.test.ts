import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths } from '@shared/tiers';
import { startTestApp, type TestApp } from '../../test/helpers';
import { listTimeline, resolveCustomer } from '../customers/service';
import { SimFault, SimMessage } from '../wechat/simulator/model';
import { checkTiers, expirePoints, remindExpiringPoints } from './lifecycle';
import { LedgerEntry, Member } from './model';
import { earnPoints, pointsBalance, spendPoints } from './points';
import { getMember, joinMembership, memberStateOf } from './service';

// Service calls, with the clock as a parameter so that a year passes in a line; the server runs for
// its database and its built-in WeChat simulator (which records the messages it is sent).
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await Promise.all([Member.init(), LedgerEntry.init()]);
});
afterAll(async () => {
  await app?.close();
});

let n = 0;
async function newMember(at: Date): Promise<Types.ObjectId> {
  const id = await resolveCustomer({ app: 'mini_program', openid: `life-${n++}` });
  await joinMembership(id, { termsVersion: '2026-01', at });
  return id;
}

const t0 = new Date('2030-03-01T00:00:00Z');
const days = (d: number) => d * 86_400_000;

describe('tiers', () => {
  it('upgrade at once on earning and come down only when the 12-month window no longer holds them', async () => {
    const id = await newMember(t0);
    await earnPoints(id, 900, 'purchase', 'tier-1', { at: t0 });
    expect((await getMember(id))!.tier).toBe('regular');
    await earnPoints(id, 200, 'purchase', 'tier-2', { at: new Date(t0.getTime() + days(1)) });
    expect((await getMember(id))!.tier).toBe('silver');
    await earnPoints(id, 4_000, 'purchase', 'tier-3', { at: addMonths(t0, 6) });
    expect((await getMember(id))!.tier).toBe('gold');

    // 11 months on: all 5100 still in the window.
    expect(await checkTiers(addMonths(t0, 11))).toBe(0);
    expect((await getMember(id))!.tier).toBe('gold');
    // 12 months and 2 days on: the first 1100 left the window; 4000 is silver.
    const later = new Date(addMonths(t0, 12).getTime() + days(2));
    expect(await checkTiers(later)).toBe(1);
    const member = (await getMember(id))!;
    expect(member.tier).toBe('silver');
    expect((await memberStateOf(member, later)).earnedLast12Months).toBe(4_000);
    // 18 months on nothing is left: regular.
    await checkTiers(new Date(addMonths(t0, 18).getTime() + days(1)));
    expect((await getMember(id))!.tier).toBe('regular');
    const changes = await listTimeline(id, { types: ['member.tier_changed'] });
    expect(changes.map((c) => (c.data as { to: string }).to)).toEqual(['regular', 'silver', 'gold', 'silver']);
  });

  it('spending does not lower the tier: it follows points earned, not the balance', async () => {
    const id = await newMember(t0);
    await earnPoints(id, 1_500, 'purchase', 'spend-tier-1', { at: t0 });
    await spendPoints(id, 1_400, 'gift', 'spend-tier-2', { at: new Date(t0.getTime() + days(1)) });
    await checkTiers(new Date(t0.getTime() + days(30)));
    expect((await getMember(id))!.tier).toBe('silver');
  });
});

describe('points expiry', () => {
  it('expires earned points 12 months on, oldest first, once, after a reminder a week before', async () => {
    const tE = new Date('2034-03-01T00:00:00Z');
    const id = await newMember(tE);
    await earnPoints(id, 100, 'purchase', 'exp-1', { at: tE });
    await spendPoints(id, 30, 'gift', 'exp-spend', { at: addMonths(tE, 1) });
    await earnPoints(id, 50, 'purchase', 'exp-2', { at: addMonths(tE, 2) });
    expect(await pointsBalance(id)).toBe(120);

    const { wechat } = app;
    const weekBefore = new Date(addMonths(tE, 12).getTime() - days(3));
    expect(await remindExpiringPoints(weekBefore, { wechat })).toBe(1);
    expect(await remindExpiringPoints(weekBefore, { wechat })).toBe(0);
    const [reminder] = await listTimeline(id, { types: ['points.expiry_reminder'] });
    // The spend took 30 from the oldest lot: 70 of it are left to expire.
    expect(reminder?.data).toMatchObject({ points: 70 });
    const sent = await SimMessage.find({ kind: 'subscribe' }).lean();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.touser).toMatch(/^life-/);
    expect(sent[0]!.body).toMatchObject({ data: { number1: { value: '70' } } });

    const justAfter = new Date(addMonths(tE, 12).getTime() + 1_000);
    // (The pass also expires the older lots of the members of the tier tests.)
    expect((await expirePoints(justAfter)).customers).toBeGreaterThanOrEqual(1);
    expect(await pointsBalance(id)).toBe(50);
    // A second pass finds nothing to do.
    expect(await expirePoints(new Date(justAfter.getTime() + days(1)))).toEqual({ customers: 0, expired: 0 });
    expect(await pointsBalance(id)).toBe(50);

    expect((await expirePoints(new Date(addMonths(tE, 14).getTime() + 1_000))).expired).toBe(50);
    expect(await pointsBalance(id)).toBe(0);
    const expired = await LedgerEntry.find({ customerId: id, type: 'expire' }).sort({ seq: 1 }).lean();
    expect(expired.map((e) => e.points)).toEqual([-70, -50]);
  });

  it('expires nothing of a lot already spent, and never more than the balance', async () => {
    const tS = new Date('2037-03-01T00:00:00Z');
    const id = await newMember(tS);
    await earnPoints(id, 40, 'purchase', 'spent-1', { at: tS });
    await spendPoints(id, 40, 'gift', 'spent-2', { at: addMonths(tS, 3) });
    await expirePoints(new Date(addMonths(tS, 12).getTime() + 1_000));
    expect(await LedgerEntry.countDocuments({ customerId: id, type: 'expire' })).toBe(0);
    expect(await pointsBalance(id)).toBe(0);
  });

  it('still reminds on the timeline when the message cannot be delivered', async () => {
    const id = await newMember(t0);
    await earnPoints(id, 10, 'purchase', 'undelivered-1', { at: new Date('2040-06-01T00:00:00Z') });
    await SimFault.create({ _id: '/cgi-bin/message/subscribe/send', remaining: 5, errcode: 43101 });
    const before = await SimMessage.countDocuments({ kind: 'subscribe' });
    await remindExpiringPoints(new Date('2041-05-28T00:00:00Z'), { wechat: app.wechat });
    expect(await SimMessage.countDocuments({ kind: 'subscribe' })).toBe(before);
    expect(await listTimeline(id, { types: ['points.expiry_reminder'] })).toHaveLength(1);
  });
});
