// The customer lifecycle end to end, over HTTP against the real server and database: a mini-program
// customer with a membership, points, coupons (one redeemed, one gifted) and a ticket (photo,
// messages) is merged into the official-account follower they turn out to be, keeps everything,
// exports everything, and deletes the account: nothing personal is left, collection by collection.
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportResponse } from '@shared/api/privacy';
import { startTestApp, type TestApp } from '../test/helpers';
import { login, signInTwoStoreCast, type SignedIn, type TwoStoreCast } from '../test/session';
import { personalPathsOf } from '../test/customerDataCoverage';
import { updateOfficialAccountProfile } from './customers';

const PHONE = '13612345678';
const TICKET_PHONE = '13687654321';
const NAME = '林晓雯';
const DESCRIPTION = '烘干机不加热，已经三天了';
const ORDER_REF = 'JD-884422119';
const MESSAGE = '补充：机器型号是 DX-200';
const FOLLOWER_OPENID = 'oa-lifecycle-follower';
const UNIONID = 'union-lifecycle-1';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('lifecycle-photo-bytes')]);

let app: TestApp;
let cast: TwoStoreCast;
let mp: SignedIn; // the mini-program record, before the merge
let friend: SignedIn;
let followerId: string; // the official-account record: the survivor of the merge
let survivor: SignedIn;
let ticketId: string;
let giftedCouponId: string;

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'life-admin' });
  cast = await signInTwoStoreCast(app, 'life');
});
afterAll(async () => {
  await app?.close();
});

const req = (method: string, path: string, who: SignedIn, body?: unknown, headers?: Record<string, string>) =>
  app.request(method, `/api/v1${path}`, { token: who.token, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });

async function ok(res: Promise<{ status: number; body: any }>, status = 200) {
  const r = await res;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}

describe('a customer merged, exported and erased', () => {
  it('sets the scene: a follower on the official account, and a mini-program customer who does everything', async () => {
    // The follower, as the profile sync records them: followed from a store's QR code, unionid known.
    followerId = String(
      await updateOfficialAccountProfile({
        openid: FOLLOWER_OPENID,
        subscribed: true,
        unionid: UNIONID,
        subscribeTime: new Date('2026-03-01T02:00:00Z'),
        channel: `store:${cast.storeId}`,
        tagIds: [],
      }),
    );

    // The same person signs in to the mini-program, not yet known by unionid: a record of its own.
    mp = await login(app, 'mp-lifecycle');
    expect(mp.customerId).not.toBe(followerId);
    await ok(req('POST', '/members/join', mp, { acceptTerms: true, termsVersion: '2026-01', phoneCode: `test-phone:${PHONE}` }), 201);
    await ok(req('PATCH', '/me/profile', mp, { name: NAME, birthday: '1990-05-06' }));

    const campaign = await ok(
      req('POST', '/admin/campaigns', cast.admin, {
        name: '满100减20',
        type: 'cash',
        valueFen: 2000,
        thresholdFen: 10000,
        stock: 50,
        perUserLimit: 3,
        validity: { kind: 'days', days: 30 },
        status: 'active',
      }),
      201,
    );
    const [kept, used, given] = [
      await ok(req('POST', `/campaigns/${campaign.id}/claim`, mp), 201),
      await ok(req('POST', `/campaigns/${campaign.id}/claim`, mp), 201),
      await ok(req('POST', `/campaigns/${campaign.id}/claim`, mp), 201),
    ];
    expect(kept.coupon.state).toBe('available');
    // One used in store (earning points), one given to a friend.
    await ok(req('POST', '/staff/redemptions', cast.clerk, { code: used.coupon.code, orderAmountFen: 25_800, storeId: cast.storeId }), 201);
    friend = await login(app, 'mp-lifecycle-friend');
    const gift = await ok(req('POST', `/coupons/${given.coupon.id}/gift`, mp), 201);
    await ok(req('POST', '/gifts/accept', friend, { token: gift.token }));
    giftedCouponId = given.coupon.id;

    const ticket = await ok(
      req('POST', '/tickets', mp, {
        storeId: cast.storeId,
        type: 'repair',
        orderRef: ORDER_REF,
        description: DESCRIPTION,
        contact: { preference: 'phone', phone: TICKET_PHONE },
      }),
      201,
    );
    ticketId = ticket.id;
    const photo = await app.request('POST', `/api/v1/tickets/${ticketId}/photos`, {
      token: mp.token,
      raw: PNG,
      headers: { 'content-type': 'image/png' },
    });
    expect(photo.status, photo.text).toBe(201);
    await ok(req('POST', `/tickets/${ticketId}/messages`, mp, { text: MESSAGE, idempotencyKey: 'lifecycle-msg-1' }), 201);
    await ok(req('POST', `/tickets/${ticketId}/messages`, cast.clerk, { text: '收到，明天上门', idempotencyKey: 'lifecycle-msg-2' }), 201);

    const me = await ok(req('GET', '/me', mp));
    expect(me.member.points).toBe(258);
  });

  it('merges the two records when the unionid shows one person, and the survivor keeps everything', async () => {
    survivor = await login(app, 'mp-lifecycle', UNIONID);
    expect(survivor.customerId).toBe(followerId);

    const me = await ok(req('GET', '/me', survivor));
    expect(me.member).toMatchObject({ points: 258, phone: '136****5678' });
    expect(me.customer.name).toBe(NAME);
    expect((await ok(req('GET', '/me/profile', survivor))).birthday).toBe('1990-05-06');
    const coupons = await ok(req('GET', '/coupons', survivor));
    expect(coupons.items.map((c: { state: string }) => c.state).sort()).toEqual(['available', 'redeemed']);
    const tickets = await ok(req('GET', '/tickets', survivor));
    expect(tickets.items.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    expect((await ok(req('GET', `/tickets/${ticketId}/messages`, survivor))).items).toHaveLength(2);
    // The points keep working on the survivor's chain, and the old session follows the person.
    const points = await ok(req('GET', '/me/points', survivor));
    expect(points.balance).toBe(258);
    expect((await ok(req('GET', '/me', mp))).customer.id).toBe(followerId);
    // Repeating the merge (a retried login) changes nothing.
    await login(app, 'mp-lifecycle', UNIONID);
    expect((await ok(req('GET', '/me', survivor))).member.points).toBe(258);
  });

  it("exports every module's records", async () => {
    const exported = await ok(req('GET', '/me/export', survivor));
    expect(exportResponse.safeParse(exported).success).toBe(true);
    expect(exported.customer.profile).toMatchObject({ name: NAME, birthday: '1990-05-06' });
    expect(exported.customer.officialAccount.followChannel).toBe(`store:${cast.storeId}`);
    expect(exported.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['mp_openid', 'oa_openid', 'unionid']);
    expect(exported.member).toMatchObject({ points: 258, phone: PHONE });
    expect(exported.ledger).toEqual([expect.objectContaining({ type: 'earn', points: 258 })]);
    expect(exported.coupons).toHaveLength(3); // two held, one claimed and given away
    expect(exported.gifts).toEqual([expect.objectContaining({ direction: 'given', status: 'accepted' })]);
    expect(exported.redemptions).toEqual([expect.objectContaining({ orderAmountFen: 25_800, status: 'done' })]);
    expect(exported.tickets).toEqual([
      expect.objectContaining({
        id: ticketId,
        description: DESCRIPTION,
        orderRef: ORDER_REF,
        contact: { preference: 'phone', phone: TICKET_PHONE },
      }),
    ]);
    expect(exported.ticketMessages.map((m: { text: string }) => m.text)).toEqual([MESSAGE, '收到，明天上门']);
    expect(exported.ticketPhotos).toEqual([expect.objectContaining({ ticketId, contentType: 'image/png', size: PNG.length })]);
    expect(exported.sessions.length).toBeGreaterThanOrEqual(2);
    expect(exported.timeline.map((t: { type: string }) => t.type)).toEqual(
      expect.arrayContaining(['member.joined', 'ticket.created', 'customer.merged']),
    );
    expect(JSON.stringify(exported)).not.toMatch(/tokenHash|"token"/);
  });

  it('erases the person: nothing personal is left in any collection', async () => {
    const start = await ok(req('POST', '/me/deletion', survivor), 201);
    const done = await req('POST', '/me/deletion/confirm', survivor, { token: start.token });
    expect(done.status).toBe(204);
    expect((await req('GET', '/me', survivor)).status).toBe(401);
    expect((await req('GET', '/me', mp)).status).toBe(401);

    // What an admin can still read of the ticket: the figures, nothing the person wrote or showed.
    const ticket = await ok(req('GET', `/tickets/${ticketId}`, cast.admin));
    expect(ticket).toMatchObject({ description: '', orderRef: null, contact: { preference: 'none' }, photos: [] });
    expect((await ok(req('GET', `/tickets/${ticketId}/messages`, cast.admin))).items).toEqual([]);
    expect((await ok(req('GET', `/tickets/${ticketId}/photos`, cast.admin))).items).toEqual([]);
    expect((await req('GET', `/tickets/${ticketId}/photos/1`, cast.admin)).status).toBe(404);
    // The friend keeps the coupon they were given, no longer traceable to the giver.
    expect((await ok(req('GET', `/coupons/${giftedCouponId}`, friend))).coupon.state).toBe('available');

    // Collection by collection: no path that names a customer names either record of the person…
    const db = mongoose.createConnection(app.config.mongodbUri!);
    try {
      await db.asPromise();
      const ids = [new Types.ObjectId(mp.customerId), new Types.ObjectId(followerId)];
      for (const name of mongoose.modelNames()) {
        const model = mongoose.model(name);
        const collection = db.collection(model.collection.collectionName);
        for (const path of personalPathsOf(model.schema).filter((p) => /customerId|claimantId|receivedFrom/i.test(p))) {
          expect(await collection.countDocuments({ [path]: { $in: ids } }), `${model.collection.collectionName}.${path}`).toBe(0);
        }
      }
      // …the two customer records are empty shells…
      for (const shell of await db
        .collection('customers')
        .find({ _id: { $in: ids } })
        .toArray()) {
        expect(shell.status).toBe('deleted');
        expect(shell.profile).toBeUndefined();
        expect(shell.officialAccount).toBeUndefined();
      }
      // …and no document anywhere holds anything the person gave us or any of their identities.
      const markers = [
        PHONE,
        TICKET_PHONE,
        NAME,
        DESCRIPTION,
        ORDER_REF,
        MESSAGE,
        'mp-lifecycle"',
        FOLLOWER_OPENID,
        UNIONID,
        'lifecycle-photo-bytes',
        'lifecycle-msg',
      ];
      const notOurs = /^sim_/; // the WeChat platform's side, played by the simulator
      for (const { name } of await db.db!.listCollections().toArray()) {
        if (notOurs.test(name)) continue;
        const docs = await db.collection(name).find({}).toArray();
        const text = JSON.stringify(docs, (_key, value: unknown) =>
          value && typeof value === 'object' && (value as { _bsontype?: string })._bsontype === 'Binary'
            ? Buffer.from((value as { buffer: Uint8Array }).buffer).toString('latin1')
            : value,
        );
        for (const marker of markers) expect(text.includes(marker), `${marker} in ${name}`).toBe(false);
        if (name !== 'customers') {
          for (const id of ids) expect(text.includes(String(id)), `customer ${id} in ${name}`).toBe(false);
        }
      }
      expect(await db.collection('pending_events').countDocuments()).toBe(0);
    } finally {
      await db.close();
    }
  });
});
