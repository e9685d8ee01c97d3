import { Types } from 'mongoose';
import { todayView } from '@shared/api/crm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers';
import { customerIdOf, eventXml, newOpenid, OA_ENV, pushToOa, textXml } from '../../test/oaPush';
import { identifyAtStore, login, signInTwoStoreCast, type SignedIn, type TwoStoreCast } from '../../test/session';
import { ticketFactsOf } from '../aftersale';
import { getCustomer, resolveCustomer } from '../customers';
import { getMember, pointsBalance } from '../members';
import { SimFollower } from '../wechat/simulator/model';
import { refreshCustomer, resolveSegmentCustomerIds, runRulesPass, syncOfficialAccountTags } from '.';
import { ADVOCATES_SEGMENT_ID } from './segments';
import { CustomerKey, OaTagOp } from './model';

// The social CRM against the real server and database: automatic tags following behaviour, the
// official-account tag sync through the simulator's limits, segment counts checked by brute force,
// the staff customer view's store boundary, and Today.

let app: TestApp;
let cast: TwoStoreCast;
let admin: SignedIn;

const api = (who: SignedIn, method: string, path: string, body?: unknown) =>
  app.request(method, `/api/v1${path}`, { token: who.token, ...(body === undefined ? {} : { body }) });
const createTag = async (body: unknown) => {
  const res = await api(admin, 'POST', '/admin/crm/tags', body);
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; name: string };
};
const keysOf = async (customerId: string) =>
  (await CustomerKey.find({ customerId: new Types.ObjectId(customerId) }, { key: 1 }).lean()).map((k) => k.key);
const hasTag = async (customerId: string, tagId: string) => (await keysOf(customerId)).includes(`t:${tagId}`);
/** The platform knows the follower (user/info answers what the profile sync records), then the push arrives. */
async function follow(openid: string, storeId: string, subscribe = true) {
  const seeded = await app.request('POST', '/__wechat/_sim/followers', {
    body: { followers: [{ openid, subscribe, scene: 'ADD_SCENE_QR_CODE', qrSceneStr: `store:${storeId}` }] },
  });
  expect(seeded.status).toBe(201);
  const event = subscribe
    ? eventXml(openid, 'subscribe', { EventKey: `qrscene_store:${storeId}` })
    : eventXml(openid, 'unsubscribe', {}, Math.floor(Date.now() / 1000) + 1);
  expect((await pushToOa(app, event, openid)).status).toBe(200);
}
const join = (who: SignedIn) => api(who, 'POST', '/members/join', { acceptTerms: true, termsVersion: '2026-01' });

beforeAll(async () => {
  app = await startTestApp({ ...OA_ENV, ADMIN_OPENIDS: 'crm-admin', LOG_LEVEL: 'error' });
  cast = await signInTwoStoreCast(app, 'crm');
  admin = cast.admin;
});
afterAll(async () => {
  await app?.close();
});

describe('automatic tags', () => {
  it('follow the behaviour and are removed when it no longer holds', async () => {
    const fan = await createTag({ name: '门店粉丝', rule: { kind: 'follow_channel', channel: `store:${cast.storeId}` } });
    const refund = await createTag({ name: '提过退货', rule: { kind: 'keyword', keyword: '退货' } });
    const openTicket = await createTag({ name: '工单处理中', rule: { kind: 'ticket_open' } });
    const sleeper = await createTag({ name: '沉睡', rule: { kind: 'inactive', days: 30 } });

    // A follow from the store's QR code, then a message with the keyword.
    const openid = newOpenid();
    await follow(openid, cast.storeId);
    await pushToOa(app, textXml(openid, '我想退货可以吗'), openid);
    const follower = (await customerIdOf(openid))!.toString();
    await runRulesPass();
    expect(await hasTag(follower, fan.id)).toBe(true);
    expect(await hasTag(follower, refund.id)).toBe(true);
    expect(await hasTag(follower, sleeper.id)).toBe(false);
    expect(await keysOf(follower)).toEqual(expect.arrayContaining(['following', `store:${cast.storeId}`, 'active:7']));

    // Unfollowing ends the store-fan tag; what they said stays true.
    await follow(openid, cast.storeId, false);
    await runRulesPass();
    expect(await hasTag(follower, fan.id)).toBe(false);
    expect(await hasTag(follower, refund.id)).toBe(true);
    expect(await keysOf(follower)).not.toContain('following');

    // Forty days on without a touch they are asleep; back to today, they are not.
    await refreshCustomer(new Types.ObjectId(follower), new Date(Date.now() + 40 * 86_400_000));
    expect(await hasTag(follower, sleeper.id)).toBe(true);
    expect(await keysOf(follower)).not.toContain('active:30');
    await refreshCustomer(new Types.ObjectId(follower));
    expect(await hasTag(follower, sleeper.id)).toBe(false);

    // A ticket in progress, then closed.
    const customer = await login(app, 'crm-ticket-customer');
    const opened = await api(customer, 'POST', '/tickets', { storeId: cast.storeId, type: 'repair', description: '表带断了' });
    expect(opened.status, opened.text).toBe(201);
    await runRulesPass();
    expect(await hasTag(customer.customerId, openTicket.id)).toBe(true);
    expect(
      (await api(cast.clerk, 'POST', `/tickets/${opened.body.id}/transitions`, { action: 'reject', reason: '不在保修范围' })).status,
    ).toBe(200);
    await runRulesPass();
    expect(await hasTag(customer.customerId, openTicket.id)).toBe(false);

    // Counts on the tag list are what the customers carry.
    const list = await api(admin, 'GET', '/admin/crm/tags');
    const counted = (list.body.items as Array<{ id: string; count: number }>).find((t) => t.id === refund.id)!;
    expect(counted.count).toBe(1);
  }, 240_000);

  it('refuses a bad rule and a staff hand on an automatic tag, changing nothing', async () => {
    const bad = await api(admin, 'POST', '/admin/crm/tags', { name: 'x', rule: { kind: 'inactive', days: -3 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await api(cast.clerk, 'POST', '/admin/crm/tags', { name: 'clerk tag' })).status).toBe(403);
    const auto = await createTag({ name: '生日月', rule: { kind: 'birthday_month' } });
    await identifyAtStoreAsMember(cast.customer);
    const res = await api(cast.clerk, 'POST', `/staff/customers/${cast.customer.customerId}/tags`, {
      tagId: auto.id,
      storeId: cast.storeId,
    });
    expect(res.status).toBe(409);
    expect(await hasTag(cast.customer.customerId, auto.id)).toBe(false);
  });
});

let identified = false;
async function identifyAtStoreAsMember(who: SignedIn) {
  if (identified) return;
  expect([201, 409]).toContain((await join(who)).status);
  await identifyAtStore(app, cast.clerk, who, cast.storeId);
  identified = true;
}

describe('official-account tag sync', () => {
  it('tags and untags followers in batches of 50, backs off on the quota, skips a follower with 20 tags', async () => {
    const openids = Array.from({ length: 120 }, (_, i) => `crm_sync_${String(i).padStart(3, '0')}`);
    const seeded = await app.request('POST', '/__wechat/_sim/followers', {
      body: {
        followers: openids.map((openid, i) => ({ openid, ...(i === 7 ? { tags: Array.from({ length: 20 }, (_, t) => 900 + t) } : {}) })),
      },
    });
    expect(seeded.status).toBe(201);
    const customerIds = await Promise.all(openids.map((openid) => resolveCustomer({ app: 'official_account', openid })));
    const vip = await createTag({ name: 'VIP', syncToOfficialAccount: true });
    for (let i = 0; i < customerIds.length; i += 20) {
      await Promise.all(
        customerIds.slice(i, i + 20).map(async (id) => {
          const res = await api(admin, 'POST', `/staff/customers/${id.toString()}/tags`, { tagId: vip.id });
          expect(res.status, res.text).toBe(201);
        }),
      );
    }
    expect(await OaTagOp.countDocuments({ tagId: new Types.ObjectId(vip.id) })).toBe(120);

    // Two tag calls a minute: two batches of 50 go, the third is refused (45011) and waits.
    await app.request('POST', '/__wechat/_sim/settings', { body: { tagCallsPerMinute: 2 } });
    const first = await syncOfficialAccountTags(app.wechat);
    expect(first.created).toBe(1);
    expect(first.throttled).toBe(true);
    const oaTagId = (await api(admin, 'GET', '/admin/crm/tags')).body.items.find((t: { id: string }) => t.id === vip.id).oaTagId as number;
    expect(oaTagId).toBeGreaterThan(0);
    const taggedNow = await SimFollower.countDocuments({ tagIds: oaTagId });
    expect(taggedNow).toBeLessThanOrEqual(100);
    expect(await OaTagOp.countDocuments({ tagId: new Types.ObjectId(vip.id) })).toBe(120 - first.tagged - first.refused);
    // Nothing is sent again before the back-off ends.
    const early = await syncOfficialAccountTags(app.wechat);
    expect(early.tagged).toBe(0);

    await app.request('POST', '/__wechat/_sim/settings', { body: { tagCallsPerMinute: 600 } });
    const later = await syncOfficialAccountTags(app.wechat, new Date(Date.now() + 2 * 3_600_000));
    expect(later.throttled).toBe(false);
    expect(first.tagged + later.tagged).toBe(119);
    expect(first.refused + later.refused).toBe(1);
    expect(await SimFollower.countDocuments({ tagIds: oaTagId })).toBe(119);
    const full = await SimFollower.findById(openids[7]).lean();
    expect(full!.tagIds).toHaveLength(20);
    expect(full!.tagIds).not.toContain(oaTagId);
    expect(await OaTagOp.countDocuments({ tagId: new Types.ObjectId(vip.id) })).toBe(0);

    // Taking the tag off one customer takes it off on the platform too.
    const removed = await api(admin, 'DELETE', `/staff/customers/${customerIds[0]!.toString()}/tags/${vip.id}`);
    expect(removed.status).toBe(204);
    const untag = await syncOfficialAccountTags(app.wechat);
    expect(untag.untagged).toBe(1);
    expect((await SimFollower.findById(openids[0]).lean())!.tagIds).not.toContain(oaTagId);
  }, 240_000);

  it('keeps to 20 synced tags of ours and reports the account’s 100-tag limit', async () => {
    for (let i = 0; i < 19; i++) await createTag({ name: `同步${i}`, syncToOfficialAccount: true });
    const over = await api(admin, 'POST', '/admin/crm/tags', { name: '第21个', syncToOfficialAccount: true });
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('LIMIT_REACHED');
    // Fill the account up to 100 tags from elsewhere (the console), then sync: 19 of ours do not fit.
    const existing = (await app.wechat.officialAccount.getTags()).length;
    for (let i = existing; i < 100 - 5; i++) await app.wechat.officialAccount.createTag(`console-${i}-${Date.now() % 100000}`);
    await syncOfficialAccountTags(app.wechat);
    const tags = (await api(admin, 'GET', '/admin/crm/tags')).body.items as Array<{
      name: string;
      oaTagId: number | null;
      syncError: string | null;
    }>;
    const ours = tags.filter((t) => t.name.startsWith('同步'));
    expect(ours.filter((t) => t.oaTagId).length).toBe(5);
    expect(ours.filter((t) => t.syncError?.includes('100')).length).toBe(14);
    expect((await app.wechat.officialAccount.getTags()).length).toBe(100);
  }, 240_000);
});

describe('segments', () => {
  it('count what a brute-force pass over the seeded customers counts', async () => {
    const people: SignedIn[] = [];
    for (let i = 0; i < 24; i++) people.push(await login(app, `crm-seg-${i}`));
    const vipTag = await createTag({ name: '常客' });
    for (const [i, who] of people.entries()) {
      if (i % 2 === 0) expect((await join(who)).status).toBe(201);
      if (i % 2 === 0 && i % 3 === 0) {
        const adjust = await api(admin, 'POST', '/staff/points/adjust', {
          customerId: who.customerId,
          points: 300 * (i + 1),
          reason: 'seed',
          refKey: `seg-${i}`,
        });
        expect([200, 201]).toContain(adjust.status);
      }
      if (i % 4 === 1) expect((await api(admin, 'POST', `/staff/customers/${who.customerId}/tags`, { tagId: vipTag.id })).status).toBe(201);
      if (i % 5 === 0) await api(who, 'POST', '/tickets', { storeId: cast.storeId, type: 'inquiry', description: '营业时间' });
    }
    await runRulesPass(new Date(), { sweepAll: true });

    const definitions = [
      [{ kind: 'behaviour', behaviour: 'member' }],
      [{ kind: 'points', atLeast: 1000 }],
      [
        { kind: 'behaviour', behaviour: 'member' },
        { kind: 'points', atLeast: 500 },
      ],
      [{ kind: 'tag', tagId: vipTag.id }],
      [
        { kind: 'tag', tagId: vipTag.id, negate: true },
        { kind: 'behaviour', behaviour: 'member' },
      ],
      [
        { kind: 'behaviour', behaviour: 'ticket_open' },
        { kind: 'store', storeId: cast.storeId },
      ],
      [
        { kind: 'tier', tiers: ['regular', 'silver', 'gold'] },
        { kind: 'following', value: false },
      ],
    ];
    // Brute force: every active customer, read from the modules' own records, not from the keys.
    const everyone = [...people.map((p) => p.customerId), cast.customer.customerId, cast.stranger.customerId];
    const facts = await Promise.all(
      everyone.map(async (id) => {
        const oid = new Types.ObjectId(id);
        const [customer, member, tickets, keys] = await Promise.all([getCustomer(oid), getMember(oid), ticketFactsOf(oid), keysOf(id)]);
        return {
          id,
          member: Boolean(member),
          tier: member?.tier,
          points: member ? await pointsBalance(oid) : 0,
          vip: keys.includes(`t:${vipTag.id}`),
          ticketOpen: tickets.open,
          following: Boolean(customer?.officialAccount?.following),
        };
      }),
    );
    const brute: Array<(f: (typeof facts)[number]) => boolean> = [
      (f) => f.member,
      (f) => f.member && f.points >= 1000,
      (f) => f.member && f.points >= 500,
      (f) => f.vip,
      (f) => !f.vip && f.member,
      (f) => f.ticketOpen,
      (f) => f.member && !f.following,
    ];
    for (const [i, conditions] of definitions.entries()) {
      const res = await api(admin, 'POST', '/admin/crm/segments/preview', { conditions });
      expect(res.status, res.text).toBe(200);
      const inScope = new Set(everyone);
      const ids = (await resolveIdsOf(conditions)).filter((id) => inScope.has(id));
      const expected = facts
        .filter(brute[i]!)
        .map((f) => f.id)
        .sort();
      expect(ids, JSON.stringify(conditions)).toEqual(expected);
      expect(expected.length, JSON.stringify(conditions)).toBeGreaterThan(0);
      expect(res.body.count).toBeGreaterThanOrEqual(expected.length);
      expect(res.body.preview.length).toBe(Math.min(10, res.body.count));
    }
  }, 240_000);

  it('saves a segment, resolves it for outreach, and answers 404 for an unknown one', async () => {
    const saved = await api(admin, 'POST', '/admin/crm/segments', {
      name: '会员',
      conditions: [{ kind: 'behaviour', behaviour: 'member' }],
    });
    expect(saved.status, saved.text).toBe(201);
    const shown = await api(admin, 'GET', `/admin/crm/segments/${saved.body.id}`);
    expect(shown.status).toBe(200);
    const ids = await resolveSegmentCustomerIds(saved.body.id);
    expect(shown.body.count).toBe(ids.length);
    expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true);
    await expect(resolveSegmentCustomerIds(new Types.ObjectId().toString())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await api(admin, 'GET', `/admin/crm/segments/${new Types.ObjectId().toString()}`)).status).toBe(404);
    const list = await api(admin, 'GET', '/admin/crm/segments');
    expect(
      list.body.items.some((s: { id: string; builtIn: string | null }) => s.id === ADVOCATES_SEGMENT_ID && s.builtIn === 'advocates'),
    ).toBe(true);
    expect((await api(cast.clerk, 'GET', '/admin/crm/segments')).status).toBe(403);
    const bad = await api(admin, 'POST', '/admin/crm/segments', { name: 'x', conditions: [{ kind: 'points', atLeast: 333 }] });
    expect(bad.status).toBe(400);
  });
});

async function resolveIdsOf(conditions: unknown[]): Promise<string[]> {
  const saved = await api(admin, 'POST', '/admin/crm/segments', { name: 'check', conditions });
  expect(saved.status, saved.text).toBe(201);
  return resolveSegmentCustomerIds(saved.body.id);
}

describe('customer view for staff', () => {
  it('a clerk opens customers with a touch at their store only; another store’s clerk gets 404 or 403', async () => {
    await identifyAtStoreAsMember(cast.customer);
    const path = `/staff/customers/${cast.customer.customerId}`;
    const mine = await api(cast.clerk, 'GET', `${path}?storeId=${cast.storeId}`);
    expect(mine.status, mine.text).toBe(200);
    expect(mine.body.customer.id).toBe(cast.customer.customerId);
    expect(mine.body.customer.memberNo).toMatch(/^\d{9}$/);
    expect((await api(cast.otherClerk, 'GET', path)).status).toBe(404);
    expect((await api(cast.otherClerk, 'GET', `${path}?storeId=${cast.storeId}`)).status).toBe(403);
    expect((await api(cast.clerk, 'GET', `/staff/customers/${cast.stranger.customerId}`)).status).toBe(404);
    expect((await api(cast.customer, 'GET', path)).status).toBe(403);
    expect((await api(admin, 'GET', `/staff/customers/${cast.stranger.customerId}`)).status).toBe(200);
    // Nor through a note or a tag.
    expect((await api(cast.otherClerk, 'POST', `${path}/notes`, { text: '偷看' })).status).toBe(404);
    expect((await api(cast.otherClerk, 'GET', `${path}/timeline`)).status).toBe(404);
  });

  it('adds a note and a tag, pages the timeline, finds the customer by name', async () => {
    await identifyAtStoreAsMember(cast.customer);
    const path = `/staff/customers/${cast.customer.customerId}`;
    const tag = await createTag({ name: '爱喝拿铁' });
    expect((await api(cast.clerk, 'POST', `${path}/tags`, { tagId: tag.id })).status).toBe(201);
    expect((await api(cast.clerk, 'POST', `${path}/tags`, { tagId: tag.id })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await api(cast.clerk, 'POST', `${path}/notes`, { text: `第${i}次到店` })).status).toBe(201);
    expect((await api(cast.clerk, 'POST', `${path}/notes`, { text: '' })).status).toBe(400);
    const view = await api(cast.clerk, 'GET', path);
    expect(view.body.tags.map((t: { name: string }) => t.name)).toContain('爱喝拿铁');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string; type: string }>; nextCursor: string | null } } = await api(
        cast.clerk,
        'GET',
        `${path}/timeline?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await api(cast.clerk, 'GET', `${path}/timeline?limit=100`);
    expect(seen).toEqual(all.body.items.map((e: { id: string }) => e.id));
    expect(all.body.items.filter((e: { type: string }) => e.type === 'crm.note')).toHaveLength(5);

    await api(cast.customer, 'PATCH', '/me/profile', { name: 'Lin Mei' });
    await refreshCustomer(new Types.ObjectId(cast.customer.customerId));
    const found = await api(cast.clerk, 'GET', `/staff/customers?q=${encodeURIComponent('lin mei')}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: { id: string }) => c.id)).toContain(cast.customer.customerId);
    const elsewhere = await api(cast.otherClerk, 'GET', `/staff/customers?q=${encodeURIComponent('lin mei')}`);
    expect(elsewhere.body.items).toEqual([]);
  });
});

describe('Today', () => {
  it('lists followers waiting for a human and low ratings without follow-up, each with its link', async () => {
    const openid = newOpenid();
    await follow(openid, cast.storeId);
    await pushToOa(app, textXml(openid, '人工'), openid);
    const waiting = (await customerIdOf(openid))!.toString();

    const rater = await login(app, 'crm-today-rater');
    expect((await api(rater, 'PATCH', '/me/profile', { name: 'Chen Jing' })).status).toBe(200);
    const opened = await api(rater, 'POST', '/tickets', { storeId: cast.storeId, type: 'repair', description: '表镜裂了' });
    for (const body of [{ action: 'accept' }, { action: 'start' }, { action: 'resolve', resolution: '已更换' }]) {
      expect((await api(cast.clerk, 'POST', `/tickets/${opened.body.id}/transitions`, body)).status).toBe(200);
    }
    expect((await api(rater, 'POST', `/tickets/${opened.body.id}/rating`, { stars: 1 })).status).toBeLessThan(300);
    await runRulesPass();

    const today = await api(cast.clerk, 'GET', `/staff/today?storeId=${cast.storeId}`);
    expect(today.status, today.text).toBe(200);
    // Structured facts (the page words them in the reader's language), in the contract's shape.
    const { items } = todayView.parse(today.body);
    const human = items.find((i) => i.kind === 'waiting_human' && i.customerId === waiting);
    expect(human?.link).toBe(`/pages/staff/customer/index?id=${waiting}&storeId=${cast.storeId}`);
    expect(human).toMatchObject({ ticketId: null, ticketType: null, ticketState: null, stars: null, escalations: null });
    expect(Date.parse(human!.at)).toBeGreaterThan(Date.now() + 47 * 60 * 60_000);
    const low = items.find((i) => i.kind === 'low_rating' && i.ticketId === opened.body.id);
    expect(low?.link).toBe(`/pages/staff/ticket/index?id=${opened.body.id}`);
    expect(low).toMatchObject({ customerName: 'Chen Jing', ticketType: 'repair', ticketState: 'resolved', stars: 1, escalations: null });
    expect(today.body.counts.waiting_human).toBeGreaterThanOrEqual(1);
    // The follower's only touch is the follow from the store's QR code: the link opens for the store's clerk.
    expect((await api(cast.clerk, 'GET', `/staff/customers/${waiting}?storeId=${cast.storeId}`)).status).toBe(200);
    // The other store's list has none of them, and its clerk cannot read this one.
    expect((await api(cast.otherClerk, 'GET', `/staff/today?storeId=${cast.storeId}`)).status).toBe(403);
    const theirs = await api(cast.otherClerk, 'GET', '/staff/today');
    expect(theirs.body.items.some((i: { customerId: string }) => i.customerId === waiting)).toBe(false);

    // A staff answer on the ticket is the follow-up: the low rating leaves the list.
    expect(
      (
        await api(cast.clerk, 'POST', `/tickets/${opened.body.id}/messages`, {
          text: '很抱歉，我们回访您',
          idempotencyKey: 'crm-followup-1',
        })
      ).status,
    ).toBe(201);
    const after = await api(cast.clerk, 'GET', `/staff/today?storeId=${cast.storeId}`);
    expect(after.body.items.some((i: { kind: string; ticketId: string }) => i.kind === 'low_rating' && i.ticketId === opened.body.id)).toBe(
      false,
    );
  }, 240_000);
});
