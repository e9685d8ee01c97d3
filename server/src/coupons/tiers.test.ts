import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { signInTwoStoreCast, login, type TwoStoreCast, type SignedIn } from '../../test/session';
import { LOGIN_LIMITS } from '../auth/routes';
import { earnPoints } from '../members/service';

let app: TestApp;
let cast: TwoStoreCast;

const post = (path: string, who: SignedIn, body?: unknown) =>
  app.request('POST', path, { token: who.token, ...(body === undefined ? {} : { body }) });
const get = (path: string, who: SignedIn) => app.request('GET', path, { token: who.token });

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'tier-admin', SESSION_SECRET: 't'.repeat(40) });
  LOGIN_LIMITS.perIp.max = 10_000;
  cast = await signInTwoStoreCast(app, 'tier');
});
afterAll(async () => {
  await app?.close();
});

/** A member who earned `earned` points (what the tier follows). */
async function memberWithEarned(openid: string, earned: number): Promise<SignedIn> {
  const who = await login(app, openid);
  expect((await post('/api/v1/members/join', who, { acceptTerms: true, termsVersion: '2026-01' })).status).toBe(201);
  if (earned) await earnPoints(new Types.ObjectId(who.customerId), earned, 'seed', `seed:${openid}`);
  return who;
}

async function campaign(body: Record<string, unknown>) {
  const res = await post('/api/v1/admin/campaigns', cast.admin, {
    name: '金卡专享 20 元券',
    type: 'cash',
    valueFen: 2000,
    stock: 10,
    perUserLimit: 1,
    validity: { kind: 'days', days: 30 },
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

describe('tier benefits', () => {
  it('a tier-limited campaign is refused for a lower tier, shown as locked, and claimed by the tier', async () => {
    const goldOnly = await campaign({ tiers: ['gold', 'black_gold'] });
    const silver = await memberWithEarned('tier-silver', 1_200);
    const gold = await memberWithEarned('tier-gold', 6_000);

    const refused = await post(`/api/v1/campaigns/${goldOnly}/claim`, silver);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'TIER_REQUIRED', message: expect.stringContaining('金卡') });
    const notMember = await post(`/api/v1/campaigns/${goldOnly}/claim`, cast.stranger);
    expect(notMember.body.error.code).toBe('TIER_REQUIRED');

    const centre = await get('/api/v1/campaigns', silver);
    expect(centre.body.items.map((c: { id: string }) => c.id)).not.toContain(goldOnly);
    expect(centre.body.locked.find((c: { id: string }) => c.id === goldOnly)).toMatchObject({
      requiredTier: { id: 'gold', name: '金卡' },
      tiers: ['gold', 'black_gold'],
    });

    const goldCentre = await get('/api/v1/campaigns', gold);
    expect(goldCentre.body.items.map((c: { id: string }) => c.id)).toContain(goldOnly);
    expect(goldCentre.body.locked.map((c: { id: string }) => c.id)).not.toContain(goldOnly);
    expect((await post(`/api/v1/campaigns/${goldOnly}/claim`, gold)).status).toBe(201);
  });

  it('a campaign for new members only is not advertised to higher tiers', async () => {
    const regularOnly = await campaign({ name: '新会员券', tiers: ['regular'] });
    const gold = await memberWithEarned('tier-gold-2', 5_500);
    const centre = await get('/api/v1/campaigns', gold);
    expect([...centre.body.items, ...centre.body.locked].map((c: { id: string }) => c.id)).not.toContain(regularOnly);
    expect((await post(`/api/v1/campaigns/${regularOnly}/claim`, gold)).body.error.code).toBe('TIER_REQUIRED');
  });

  it('earning at redemption follows the tier multiplier', async () => {
    const open = await campaign({ name: '通用券', valueFen: 100, stock: 10 });
    const gold = await memberWithEarned('tier-gold-3', 5_000);
    const regular = await memberWithEarned('tier-regular', 0);
    const earned: number[] = [];
    for (const who of [gold, regular]) {
      const claimed = await post(`/api/v1/campaigns/${open}/claim`, who);
      const before = (await get('/api/v1/me/points', who)).body.balance as number;
      const redeemed = await post('/api/v1/staff/redemptions', cast.clerk, { code: claimed.body.coupon.code, orderAmountFen: 12_345 });
      expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(201);
      earned.push(((await get('/api/v1/me/points', who)).body.balance as number) - before);
    }
    // 123 yuan: gold earns 1.5× (184), regular 1× (123).
    expect(earned).toEqual([184, 123]);
  });
});
