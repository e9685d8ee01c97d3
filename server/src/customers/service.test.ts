import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUri } from '../../test/helpers';
import { Customer, CustomerIdentity, TimelineEntry } from './model';
import { appendTimeline, listTimeline, resolveCustomer } from './service';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await Promise.all([Customer.init(), CustomerIdentity.init(), TimelineEntry.init()]);
});
afterAll(async () => {
  await mongoose.disconnect();
});

describe('resolveCustomer', () => {
  it('creates one customer for one openid, even under 30 concurrent first sightings', async () => {
    const ids = await Promise.all(Array.from({ length: 30 }, () => resolveCustomer({ app: 'official_account', openid: 'oa-race' })));
    expect(new Set(ids.map(String)).size).toBe(1);
    expect(await CustomerIdentity.countDocuments({ value: 'oa-race' })).toBe(1);
    expect(await Customer.countDocuments({ _id: ids[0] })).toBe(1);
  });

  it('joins the official-account and mini-program openids of one person on unionid', async () => {
    const viaOa = await resolveCustomer({ app: 'official_account', openid: 'oa-1', unionid: 'u-1' });
    const viaMp = await resolveCustomer({ app: 'mini_program', openid: 'mp-1', unionid: 'u-1' });
    expect(viaMp.equals(viaOa)).toBe(true);
    // Later sightings without the unionid still find the same person.
    expect((await resolveCustomer({ app: 'mini_program', openid: 'mp-1' })).equals(viaOa)).toBe(true);
  });

  it('merges two records when a unionid shows they are the same person, timeline included', async () => {
    const a = await resolveCustomer({ app: 'official_account', openid: 'oa-2' });
    const b = await resolveCustomer({ app: 'mini_program', openid: 'mp-2', unionid: 'u-2' });
    await appendTimeline(a, { type: 'oa.message', channel: 'official_account', summary: 'hello' });
    expect(a.equals(b)).toBe(false);

    const joined = await resolveCustomer({ app: 'official_account', openid: 'oa-2', unionid: 'u-2' });
    expect(joined.equals(b)).toBe(true);
    expect((await Customer.findById(a).lean())?.status).toBe('merged');
    const timeline = await listTimeline(b);
    expect(timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['oa.message', 'customer.merged']));
    expect((await resolveCustomer({ app: 'official_account', openid: 'oa-2' })).equals(b)).toBe(true);
  });
});
