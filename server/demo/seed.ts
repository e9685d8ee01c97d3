/* eslint-disable @typescript-eslint/no-explicit-any -- plain documents for insertMany and API answers read as JSON */
// `npm run demo:seed`: a believable brand in an empty database, for a demo of a fresh `npm start`.
// Stores, staff and campaigns are made through the product's own HTTP routes; the history behind
// them (90 days of customers, members, follows and messages, claims, gifts, redemptions, tickets,
// ratings) is written in bulk (insertMany) in the shapes the services write, then the engagement
// review scores it, with one coupon-farming attack in it. Then the brand's CRM tags and segments are
// made through the same routes, the CRM rules pass tags everyone, and the closed days are rolled up,
// so the dashboard, the segments and Today show the brand at once. It refuses a database that holds
// anything but an earlier demo seed, and seeding twice does nothing.
import { randomBytes, randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import mongoose, { Types } from 'mongoose';
import { couponCodeFromBytes } from '@shared/couponCode';
import { TIERS } from '@shared/tiers';
import { Ticket } from '../src/aftersale/model';
import { rollHours, runRollups } from '../src/analytics';
import { Campaign, Coupon, CouponGift, FunnelEvent, Redemption } from '../src/coupons/model';
import { runRulesPass } from '../src/crm';
import { shanghaiDay, shanghaiHour } from '../src/customers';
import { Customer, CustomerIdentity, TimelineEntry } from '../src/customers/model';
import { runScoringPass } from '../src/engagement';
import { EngagementEvent, EngagementFlag, EngagementMark } from '../src/engagement/model';
import { hashClient } from '../src/engagement/record';
import { marksOf, type ScoredEvent } from '../src/engagement/signals';
import { LedgerEntry, Member } from '../src/members/model';
import { loadConfigOrExit } from '../src/platform/config';
import { startServer, type RunningServer } from '../src/server';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
export const DEMO_LOGINS = {
  admin: 'demo-admin',
  manager: 'demo-manager',
  clerk: 'demo-clerk',
  customer: 'demo-customer',
} as const;

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = [
  '晓',
  '思',
  '子',
  '雨',
  '欣',
  '梓',
  '浩',
  '宇',
  '一',
  '佳',
  '嘉',
  '婷',
  '芳',
  '明',
  '伟',
  '静',
  '磊',
  '洋',
  '敏',
  '杰',
  '涛',
  '琳',
  '悦',
  '晨',
];
const pick = <T>(list: readonly T[]): T => list[randomInt(list.length)]!;
const chance = (p: number) => Math.random() < p;
const name = () => pick([...SURNAMES]) + pick(GIVEN) + (chance(0.6) ? pick(GIVEN) : '');
const code = () => couponCodeFromBytes(randomBytes(10)).replace(/-/g, '');
/** An id made at `at` (an id carries its creation time; the review reads an account's age from it). */
function idAt(at: Date): Types.ObjectId {
  const bytes = randomBytes(12);
  bytes.writeUInt32BE(Math.floor(at.getTime() / 1000), 0);
  return new Types.ObjectId(bytes);
}
/** A random moment in [from, to). */
const between = (from: number, to: number) => new Date(from + Math.floor(Math.random() * Math.max(1, to - from)));

interface Http {
  post(path: string, body: unknown, token?: string): Promise<any>;
  login(openid: string): Promise<{ token: string; customerId: string }>;
}

function http(server: RunningServer): Http {
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => undefined);
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  return {
    post: (path, body, token) => call('POST', path, body, token),
    login: async (openid) => {
      const res = await call('POST', '/auth/login', { code: `test:${openid}` });
      return { token: res.token, customerId: res.customer.id };
    },
  };
}

const markerCollection = () => mongoose.connection.collection<{ _id: string; state: string; at: Date }>('demo_seed');

/** What the seed did, for the caller (and the test). */
export interface SeedReport {
  customers: number;
  members: number;
  follows: number;
  claims: number;
  gifts: number;
  redemptions: number;
  tickets: number;
  tags: number;
  segments: number;
  rolledDays: number;
  farmAccounts: number;
  farmCustomerIds: string[];
  sinkCustomerId: string;
  ms: number;
}

export type SeedOutcome = { seeded: true; report: SeedReport } | { seeded: false; reason: 'already-seeded' };

/** Seeds the database the running server uses. Throws when it holds anything else. */
export async function seedDemo(server: RunningServer, now = new Date(), customers = 2_000): Promise<SeedOutcome> {
  const started = Date.now();
  const marker = await markerCollection().findOne({ _id: 'demo' });
  if (marker?.state === 'done') return { seeded: false, reason: 'already-seeded' };
  if (marker) throw new Error('an earlier demo seed stopped half-way: seed a fresh DATA_DIR (or an empty database) instead');
  if ((await Customer.estimatedDocumentCount()) > 0 || (await Campaign.estimatedDocumentCount()) > 0) {
    throw new Error('this database already holds customers or campaigns: the demo seed only fills an empty one');
  }
  // One seed at a time: the marker's insert is the moment that decides.
  await markerCollection().insertOne({ _id: 'demo', state: 'seeding', at: now });

  const api = http(server);
  const admin = await api.login(DEMO_LOGINS.admin);
  const stores: string[] = [];
  for (const [storeName, storeCode, city] of [
    ['南京西路旗舰店', 'SH-NJXL', '上海'],
    ['徐汇滨江店', 'SH-XHBJ', '上海'],
    ['杭州湖滨店', 'HZ-HB', '杭州'],
  ] as const) {
    stores.push((await api.post('/admin/stores', { name: storeName, code: storeCode, city }, admin.token)).id);
  }
  const staffPeople = {
    manager: await api.login(DEMO_LOGINS.manager),
    clerk: await api.login(DEMO_LOGINS.clerk),
    busyClerk: await api.login('demo-clerk-2'),
    clerkXh: await api.login('demo-clerk-xh'),
    clerkHz: await api.login('demo-clerk-hz'),
  };
  const grants: Array<[keyof typeof staffPeople, 'clerk' | 'manager', number]> = [
    ['manager', 'manager', 0],
    ['clerk', 'clerk', 0],
    ['busyClerk', 'clerk', 0],
    ['clerkXh', 'clerk', 1],
    ['clerkHz', 'clerk', 2],
  ];
  for (const [who, role, store] of grants) {
    await api.post('/admin/staff', { customerId: staffPeople[who].customerId, role, storeId: stores[store] }, admin.token);
  }
  const clerksOf = [
    [staffPeople.clerk.customerId, staffPeople.busyClerk.customerId, staffPeople.manager.customerId],
    [staffPeople.clerkXh.customerId],
    [staffPeople.clerkHz.customerId],
  ];
  const campaign = (body: Record<string, unknown>) =>
    api.post('/admin/campaigns', { perUserLimit: 1, validity: { kind: 'days', days: 365 }, status: 'active', ...body }, admin.token);
  const campaigns = {
    welcome: await campaign({
      name: '新客立减 ¥20',
      type: 'cash',
      valueFen: 2000,
      thresholdFen: 10000,
      stock: 5000,
      channels: ['mini_program', 'oa_follow'],
    }),
    discount: await campaign({ name: '全场 85 折', type: 'discount', percentOff: 15, maxDiscountFen: 3000, stock: 3000, perUserLimit: 2 }),
    gift: await campaign({ name: '会员礼 · 手冲咖啡', type: 'gift', giftName: '手冲咖啡一杯', stock: 1500 }),
    anniversary: await campaign({ name: '周年庆 ¥10 无门槛', type: 'cash', valueFen: 1000, stock: 2000, holdSuspicious: true }),
  };

  const t0 = now.getTime() - 90 * DAY;
  const customerDocs: Array<Record<string, unknown>> = [];
  const identityDocs: Array<Record<string, unknown>> = [];
  const timeline: Array<Record<string, unknown>> = [];
  /** A message to the official account and the bot's answer a moment later, as the account records them. */
  const oaExchange = (customerId: Types.ObjectId, at: Date, text: string, reply: { type: string; content?: string }) => {
    timeline.push({
      customerId,
      at,
      type: 'oa.message',
      channel: 'official_account',
      summary: text,
      data: { type: 'text', content: text },
    });
    timeline.push({
      customerId,
      at: new Date(at.getTime() + 800),
      type: 'oa.reply',
      channel: 'official_account',
      summary: reply.content ?? reply.type,
      data: { reply, via: 'passive' },
    });
  };
  const people: Array<{
    id: Types.ObjectId;
    createdAt: Date;
    ip: string;
    device: string;
    follower: boolean;
    storeIx: number;
    /** Followed from their store's QR code. */
    storeQr: boolean;
  }> = [];
  for (let i = 0; i < customers; i++) {
    // More people joined lately than at the start: the brand is growing.
    const createdAt = new Date(t0 + Math.floor(Math.sqrt(Math.random()) * (90 * DAY - HOUR)));
    const id = idAt(createdAt);
    const follower = chance(0.7);
    const storeIx = randomInt(3);
    const scene = chance(0.6) ? `store:${stores[storeIx]}` : undefined;
    customerDocs.push({
      _id: id,
      status: 'active',
      profile: { name: name(), gender: pick(['female', 'male', 'undisclosed']) },
      officialAccount: follower
        ? { following: true, followedAt: createdAt, ...(scene ? { followChannel: scene } : {}) }
        : { following: false },
      createdAt,
      updatedAt: createdAt,
    });
    identityDocs.push({
      _id: `mp_openid:demo-u${i}`,
      kind: 'mp_openid',
      value: `demo-u${i}`,
      customerId: id,
      createdAt,
      updatedAt: createdAt,
    });
    if (follower) {
      identityDocs.push({
        _id: `oa_openid:demo-oa${i}`,
        kind: 'oa_openid',
        value: `demo-oa${i}`,
        customerId: id,
        createdAt,
        updatedAt: createdAt,
      });
      timeline.push({
        customerId: id,
        at: createdAt,
        type: 'oa.event',
        channel: 'official_account',
        summary: 'subscribe',
        data: { type: 'subscribe', ...(scene ? { scene, channel: scene } : {}) },
        ...(scene ? { storeId: new Types.ObjectId(stores[storeIx]) } : {}),
      });
      // Keyword and menu messages, each with the bot's answer.
      for (let m = randomInt(4); m > 0; m--) {
        const at = between(createdAt.getTime(), now.getTime());
        const [text, reply] = pick([
          ['营业时间', '各门店营业时间 10:00–22:00'],
          ['会员', '点击菜单「会员中心」即可加入会员'],
          ['优惠券', '最新优惠请进入小程序领券中心'],
          ['门店地址', '南京西路旗舰店：南京西路 1266 号'],
        ] as const);
        oaExchange(id, at, text, { type: 'text', content: reply });
      }
    }
    // Home broadband: one address each; a fifth share the office or mall network of their store.
    const ip = chance(0.2) ? `100.64.${storeIx}.${randomInt(1, 5)}` : `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    people.push({
      id,
      createdAt,
      ip,
      device: randomBytes(12).toString('hex'),
      follower,
      storeIx,
      storeQr: follower && scene !== undefined,
    });
  }

  // A few followers of each store asked for a person in the last day and the bot handed them over:
  // nobody has answered yet (Today's "waiting for a person").
  const waitingIds = new Set<string>();
  for (let storeIx = 0; storeIx < 3; storeIx++) {
    const fans = people.filter((p) => p.storeQr && p.storeIx === storeIx && p.createdAt.getTime() < now.getTime() - 2 * DAY);
    for (const p of fans.slice(0, storeIx === 0 ? 5 : 3)) {
      waitingIds.add(p.id.toString());
      const at = new Date(now.getTime() - randomInt(20 * 60_000, 30 * HOUR));
      const text = pick(['人工', '转人工客服', '人工，订单有问题']);
      oaExchange(p.id, at, text, { type: 'transfer_customer_service' });
    }
  }

  // Members: three in five joined, with tiers and points.
  const memberDocs: Array<Record<string, unknown>> = [];
  const ledger: Array<Record<string, unknown>> = [];
  const memberNos = new Set<string>();
  for (const p of people) {
    if (!chance(0.6)) continue;
    const joinedAt = between(p.createdAt.getTime(), Math.min(now.getTime(), p.createdAt.getTime() + 7 * DAY));
    const roll = Math.random();
    const tier = roll < 0.6 ? TIERS[0]! : roll < 0.85 ? TIERS[1]! : roll < 0.97 ? TIERS[2]! : TIERS[3]!;
    let memberNo: string;
    do memberNo = String(randomInt(100_000_000, 1_000_000_000));
    while (memberNos.has(memberNo));
    memberNos.add(memberNo);
    memberDocs.push({
      customerId: p.id,
      memberNo,
      tier: tier.id,
      tierRank: TIERS.indexOf(tier),
      joinedAt,
      termsVersion: '2024-01',
      termsAcceptedAt: joinedAt,
      createdAt: joinedAt,
      updatedAt: joinedAt,
    });
    const points = randomInt(50, 600) * (TIERS.indexOf(tier) + 1);
    ledger.push({
      customerId: p.id,
      type: 'earn',
      points,
      reason: 'Purchases before the demo',
      refKey: `demo-earn:${p.id.toString()}`,
      seq: 1,
      balanceAfter: points,
      at: joinedAt,
      expiresAt: new Date(joinedAt.getTime() + 365 * DAY),
    });
    // One in twenty-five brought points from the old paper card that run out this week.
    if (chance(0.04)) {
      const carried = randomInt(2, 30) * 10;
      ledger.push({
        customerId: p.id,
        type: 'earn',
        points: carried,
        reason: '纸质会员卡积分转入',
        refKey: `demo-carried:${p.id.toString()}`,
        seq: 2,
        balanceAfter: points + carried,
        at: new Date(joinedAt.getTime() + 1_000),
        expiresAt: new Date(now.getTime() + randomInt(HOUR, 6 * DAY)),
      });
    }
    timeline.push({
      customerId: p.id,
      at: joinedAt,
      type: 'member.joined',
      channel: 'mini_program',
      summary: `Joined as member ${memberNo}`,
    });
    // Members join at the first tier; the points behind a higher one upgraded them.
    if (tier.id !== TIERS[0]!.id) {
      timeline.push({
        customerId: p.id,
        at: new Date(joinedAt.getTime() + 2_000),
        type: 'member.tier_changed',
        channel: 'system',
        summary: `Upgraded to ${tier.name}`,
        data: { from: TIERS[0]!.id, to: tier.id, direction: 'up' },
      });
    }
  }

  // Claims, gifts and redemptions.
  const couponDocs: Array<Record<string, unknown>> = [];
  const gifts: Array<Record<string, unknown>> = [];
  const redemptions: Array<Record<string, unknown>> = [];
  const funnel: Array<Record<string, unknown>> = [];
  const events: Array<Record<string, unknown>> = [];
  const slots = new Map<string, number>();
  const honestCampaigns = [campaigns.welcome, campaigns.discount, campaigns.gift, campaigns.anniversary] as Array<Record<string, any>>;
  const staffOf = (storeIx: number) => new Types.ObjectId(pick(clerksOf[storeIx]!));
  for (const p of people) {
    const claims = chance(0.75) ? 1 + (chance(0.4) ? 1 : 0) + (chance(0.15) ? 1 : 0) : 0;
    const taken = new Set<string>();
    for (let c = 0; c < claims; c++) {
      const camp = pick(honestCampaigns);
      if (taken.has(camp.id)) continue;
      taken.add(camp.id);
      const claimedAt = between(p.createdAt.getTime() + 5 * 60_000, now.getTime());
      if (claimedAt.getTime() >= now.getTime() - 60_000) continue;
      const couponId = idAt(claimedAt);
      const slot = slots.get(camp.id) ?? 0;
      slots.set(camp.id, slot + 1);
      const campaignId = new Types.ObjectId(camp.id as string);
      const coupon: Record<string, any> = {
        _id: couponId,
        campaignId,
        customerId: p.id,
        claimantId: p.id,
        stockSlot: slot,
        userSlot: 0,
        version: 0,
        code: code(),
        state: 'available',
        claimKey: `${camp.id}:demo-${couponId.toString()}`,
        channel: camp.id === campaigns.welcome.id && p.follower && chance(0.5) ? 'oa_follow' : 'mini_program',
        claimedAt,
        validFrom: claimedAt,
        expiresAt: new Date(claimedAt.getTime() + 365 * DAY),
        name: camp.name,
        type: camp.type,
        ...(camp.valueFen ? { valueFen: camp.valueFen } : {}),
        ...(camp.thresholdFen ? { thresholdFen: camp.thresholdFen } : {}),
        ...(camp.percentOff ? { percentOff: camp.percentOff, maxDiscountFen: camp.maxDiscountFen } : {}),
        ...(camp.giftName ? { giftName: camp.giftName } : {}),
        storeIds: [],
        createdAt: claimedAt,
        updatedAt: claimedAt,
      };
      funnel.push({
        _id: `claim:${couponId.toString()}`,
        campaignId,
        channel: coupon.channel,
        storeId: '-',
        staffId: '-',
        claimed: 1,
        at: claimedAt,
      });
      timeline.push({
        customerId: p.id,
        at: claimedAt,
        type: 'coupon.claimed',
        channel: coupon.channel === 'mini_program' ? 'mini_program' : 'official_account',
        summary: `Claimed coupon "${camp.name}"`,
        data: { couponId: couponId.toString(), campaignId: camp.id, claimChannel: coupon.channel },
      });
      const fresh = claimedAt.getTime() - p.createdAt.getTime() < DAY;
      events.push({
        _id: `claim:${couponId.toString()}`,
        kind: 'claim',
        customerId: p.id,
        campaignId,
        couponId,
        fresh,
        held: false,
        at: claimedAt,
        ...(await hashClient({ ip: p.ip, device: p.device })),
      });
      let holder = p;
      // One in twelve is passed to a friend.
      if (chance(1 / 12)) {
        const friend = pick(people);
        const acceptedAt = new Date(claimedAt.getTime() + randomInt(60_000, 6 * HOUR));
        if (friend !== p && friend.createdAt < acceptedAt && acceptedAt < now) {
          const giftId = new Types.ObjectId();
          gifts.push({
            _id: giftId,
            token: randomBytes(16).toString('base64url'),
            couponId,
            campaignId,
            customerId: p.id,
            status: 'accepted',
            expiresAt: new Date(acceptedAt.getTime() + DAY),
            toCustomerId: friend.id,
            acceptedAt,
            createdAt: acceptedAt,
            updatedAt: acceptedAt,
          });
          coupon.customerId = friend.id;
          coupon.receivedFrom = p.id;
          funnel.push({
            _id: `gift:${giftId.toString()}`,
            campaignId,
            channel: coupon.channel,
            storeId: '-',
            staffId: '-',
            gifted: 1,
            at: acceptedAt,
          });
          const data = {
            couponId: couponId.toString(),
            giftId: giftId.toString(),
            fromCustomerId: p.id.toString(),
            toCustomerId: friend.id.toString(),
          };
          timeline.push({
            customerId: p.id,
            at: acceptedAt,
            type: 'coupon.gift_sent',
            channel: 'mini_program',
            summary: `Passed coupon "${camp.name}" to a friend`,
            data,
          });
          timeline.push({
            customerId: friend.id,
            at: acceptedAt,
            type: 'coupon.gift_received',
            channel: 'mini_program',
            summary: `Received coupon "${camp.name}" from a friend`,
            data,
          });
          const giverFresh = acceptedAt.getTime() - p.createdAt.getTime() < DAY;
          events.push({
            _id: `gift:${giftId.toString()}`,
            kind: 'gift',
            customerId: friend.id,
            campaignId,
            couponId,
            giverId: p.id,
            fresh: giverFresh,
            held: false,
            at: acceptedAt,
            ...(await hashClient({ ip: friend.ip, device: friend.device })),
          });
          holder = friend;
        }
      }
      // Two in five are used at a till, mostly at the holder's own store.
      if (chance(0.4)) {
        const at = new Date(claimedAt.getTime() + randomInt(HOUR, 20 * DAY));
        if (at < now) {
          const storeIx = chance(0.8) ? holder.storeIx : randomInt(3);
          const staffId = staffOf(storeIx);
          const orderAmountFen = randomInt(40, 400) * 100 + pick([0, 0, 50, 80]);
          const discountFen =
            camp.type === 'cash'
              ? Math.min(camp.valueFen, orderAmountFen)
              : camp.type === 'discount'
                ? Math.min(Math.floor((orderAmountFen * camp.percentOff) / 100), camp.maxDiscountFen)
                : 0;
          if (camp.thresholdFen && orderAmountFen < camp.thresholdFen) continue;
          const redemptionId = new Types.ObjectId();
          const storeId = new Types.ObjectId(stores[storeIx]);
          coupon.state = 'redeemed';
          coupon.version = 1;
          coupon.redemption = { id: redemptionId, storeId, staffId, orderAmountFen, discountFen, at };
          redemptions.push({
            _id: redemptionId,
            couponId,
            campaignId,
            customerId: holder.id,
            code: coupon.code,
            channel: coupon.channel,
            storeId,
            staffId,
            orderAmountFen,
            discountFen,
            at,
            status: 'done',
            pointsEarned: Math.floor(orderAmountFen / 100),
          });
          funnel.push({
            _id: `redeem:${redemptionId.toString()}`,
            campaignId,
            channel: coupon.channel,
            storeId: storeId.toString(),
            staffId: staffId.toString(),
            redeemed: 1,
            at,
          });
          timeline.push({
            customerId: holder.id,
            at,
            type: 'coupon.redeemed',
            channel: 'store',
            summary: `Used coupon "${camp.name}"`,
            storeId,
            staffId,
            data: {
              couponId: couponId.toString(),
              redemptionId: redemptionId.toString(),
              campaignId: camp.id,
              claimChannel: coupon.channel,
              orderAmountFen,
              discountFen,
            },
          });
        }
      }
      couponDocs.push(coupon);
    }
  }

  // Tickets: SLA met, breached, still open; rated when done.
  const tickets: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 160; i++) {
    // The first six: two unhappy customers per store last week (late, rated low, not called back yet).
    const unhappy = i < 6;
    const p = unhappy ? pick(people.filter((x) => x.storeIx === i % 3 && x.createdAt.getTime() < now.getTime() - 12 * DAY)) : pick(people);
    const createdAt = unhappy
      ? between(now.getTime() - 10 * DAY, now.getTime() - 6 * DAY)
      : between(Math.max(p.createdAt.getTime(), t0), now.getTime() - HOUR);
    const type = pick(['repair', 'return_refund', 'exchange', 'complaint', 'inquiry'] as const);
    const done = unhappy || (createdAt.getTime() < now.getTime() - 3 * DAY ? chance(0.9) : chance(0.4));
    const breached = unhappy || chance(0.15);
    const firstResponseDue = new Date(createdAt.getTime() + 4 * HOUR);
    const resolutionDue = new Date(createdAt.getTime() + 48 * HOUR);
    const firstRespondedAt = new Date(createdAt.getTime() + (breached ? randomInt(5, 12) * HOUR : randomInt(5, 180) * 60_000));
    const resolvedAt = new Date(createdAt.getTime() + (breached ? randomInt(50, 90) : randomInt(3, 40)) * HOUR);
    const state = done ? (chance(0.7) ? 'closed' : 'resolved') : firstRespondedAt < now ? 'in_progress' : 'submitted';
    const stars = unhappy ? randomInt(1, 3) : chance(0.75) ? (breached ? randomInt(1, 4) : randomInt(3, 6)) : undefined;
    const ticketId = new Types.ObjectId();
    const source = type === 'complaint' && chance(0.5) ? 'official_account' : 'mini_program';
    const ratedAt = resolvedAt < now ? resolvedAt : now;
    tickets.push({
      _id: ticketId,
      customerId: p.id,
      storeId: new Types.ObjectId(stores[p.storeIx]),
      type,
      description: pick([
        '杯子把手断了，想换一个',
        '外卖少送了一份甜点',
        '会员积分没有到账',
        '店员态度不好，等了二十分钟',
        '想问一下退款多久到账',
      ]),
      contact: { preference: 'wechat' },
      priority: type === 'complaint' ? 'high' : 'normal',
      state,
      version: 1,
      source,
      history: [],
      sla: {
        cycle: 0,
        startedAt: createdAt,
        firstResponseDue,
        ...(firstRespondedAt < now ? { firstRespondedAt } : {}),
        firstResponseLevel: breached ? 'overdue' : 'none',
        resolutionDue,
        resolutionLevel: breached ? 'overdue' : 'none',
        ...(done ? {} : { nextDueAt: resolutionDue }),
      },
      // Open, not late yet, due within the next 12 hours: the SLA job would have raised it.
      atRisk: !done && resolutionDue > now && resolutionDue.getTime() - now.getTime() < 12 * HOUR,
      overdue: !done && resolutionDue < now,
      escalations: breached ? 1 : 0,
      ...(done ? { resolution: '已为您处理完毕', resolvedAt: resolvedAt < now ? resolvedAt : now } : {}),
      ...(state === 'closed' ? { closedAt: resolvedAt < now ? resolvedAt : now } : {}),
      ...(done && stars ? { rating: { stars, at: ratedAt, ...(stars <= 2 ? { comment: '处理太慢了' } : {}) } } : {}),
      createdAt,
      updatedAt: createdAt,
    });
    // The ticket's life on the timeline, as the after-sale service writes it (the dashboard reads these).
    const storeId = new Types.ObjectId(stores[p.storeIx]);
    const ticket = { ticketId: ticketId.toString() };
    timeline.push({
      customerId: p.id,
      at: createdAt,
      type: 'ticket.created',
      channel: source,
      summary: `${type} ticket submitted`,
      data: { ...ticket, type, priority: type === 'complaint' ? 'high' : 'normal', source },
      storeId,
    });
    if (firstRespondedAt < now) {
      timeline.push({
        customerId: p.id,
        at: firstRespondedAt,
        type: 'ticket.start',
        channel: 'store',
        summary: 'submitted → in_progress',
        data: {
          ...ticket,
          action: 'start',
          from: 'submitted',
          to: 'in_progress',
          firstResponse: { ms: firstRespondedAt.getTime() - createdAt.getTime(), breached: firstRespondedAt > firstResponseDue },
          ticketType: type,
          source,
        },
        storeId,
        staffId: staffOf(p.storeIx),
      });
    }
    if (done && resolvedAt < now) {
      timeline.push({
        customerId: p.id,
        at: resolvedAt,
        type: 'ticket.resolve',
        channel: 'store',
        summary: 'in_progress → resolved',
        data: {
          ...ticket,
          action: 'resolve',
          from: 'in_progress',
          to: 'resolved',
          resolution: { ms: resolvedAt.getTime() - createdAt.getTime(), breached: resolvedAt > resolutionDue },
        },
        storeId,
        staffId: staffOf(p.storeIx),
      });
    }
    if (done && stars) {
      timeline.push({
        customerId: p.id,
        at: ratedAt,
        type: 'ticket.rated',
        channel: 'mini_program',
        summary: `${stars}★`,
        data: { ...ticket, stars },
        storeId,
      });
    }
  }

  // The attack: 300 accounts made within the last hour behind 3 addresses, claiming the
  // anniversary coupon within one minute and passing every coupon to one account. The campaign
  // holds suspicious claims: the first ones were issued (and gifted), the rest wait for review.
  const sink = { id: idAt(new Date(now.getTime() - 2 * HOUR)), device: randomBytes(12).toString('hex') };
  customerDocs.push({
    _id: sink.id,
    status: 'active',
    profile: { name: '收券小号' },
    officialAccount: { following: false },
    createdAt: sink.id.getTimestamp(),
    updatedAt: now,
  });
  identityDocs.push({
    _id: 'mp_openid:demo-farm-sink',
    kind: 'mp_openid',
    value: 'demo-farm-sink',
    customerId: sink.id,
    createdAt: now,
    updatedAt: now,
  });
  const attackAt = now.getTime() - 20 * 60_000;
  const farmIds: string[] = [];
  const anniversary = campaigns.anniversary as Record<string, any>;
  const annId = new Types.ObjectId(anniversary.id as string);
  for (let i = 0; i < 300; i++) {
    const createdAt = new Date(attackAt - randomInt(5, 40) * 60_000);
    const id = idAt(createdAt);
    farmIds.push(id.toString());
    customerDocs.push({ _id: id, status: 'active', profile: {}, officialAccount: { following: false }, createdAt, updatedAt: createdAt });
    identityDocs.push({
      _id: `mp_openid:demo-farm-${i}`,
      kind: 'mp_openid',
      value: `demo-farm-${i}`,
      customerId: id,
      createdAt,
      updatedAt: createdAt,
    });
    const claimedAt = new Date(attackAt + randomInt(60_000));
    const couponId = new Types.ObjectId();
    const held = i >= 30;
    const slot = slots.get(anniversary.id) ?? 0;
    slots.set(anniversary.id, slot + 1);
    const ip = `203.0.113.${1 + (i % 3)}`;
    const device = randomBytes(12).toString('hex');
    couponDocs.push({
      _id: couponId,
      campaignId: annId,
      customerId: held ? id : sink.id,
      claimantId: id,
      stockSlot: slot,
      userSlot: 0,
      version: held ? 0 : 2,
      code: code(),
      state: held ? 'held' : 'available',
      ...(held ? { review: { heldAt: claimedAt } } : { receivedFrom: id }),
      claimKey: `${anniversary.id}:farm-${i}`,
      channel: 'mini_program',
      claimedAt,
      validFrom: claimedAt,
      expiresAt: new Date(claimedAt.getTime() + 365 * DAY),
      name: anniversary.name,
      type: 'cash',
      valueFen: 1000,
      storeIds: [],
      createdAt: claimedAt,
      updatedAt: claimedAt,
    });
    events.push({
      _id: `claim:${couponId.toString()}`,
      kind: 'claim',
      customerId: id,
      campaignId: annId,
      couponId,
      fresh: true,
      held,
      at: claimedAt,
      ...(await hashClient({ ip: ip, device: device })),
    });
    timeline.push({
      customerId: id,
      at: claimedAt,
      type: held ? 'coupon.claim_held' : 'coupon.claimed',
      channel: 'mini_program',
      summary: `Claimed coupon "${anniversary.name}"`,
    });
    if (!held) {
      funnel.push({
        _id: `claim:${couponId.toString()}`,
        campaignId: annId,
        channel: 'mini_program',
        storeId: '-',
        staffId: '-',
        claimed: 1,
        at: claimedAt,
      });
      const giftId = new Types.ObjectId();
      const acceptedAt = new Date(claimedAt.getTime() + randomInt(10_000, 120_000));
      gifts.push({
        _id: giftId,
        token: randomBytes(16).toString('base64url'),
        couponId,
        campaignId: annId,
        customerId: id,
        status: 'accepted',
        expiresAt: new Date(acceptedAt.getTime() + DAY),
        toCustomerId: sink.id,
        acceptedAt,
        createdAt: acceptedAt,
        updatedAt: acceptedAt,
      });
      funnel.push({
        _id: `gift:${giftId.toString()}`,
        campaignId: annId,
        channel: 'mini_program',
        storeId: '-',
        staffId: '-',
        gifted: 1,
        at: acceptedAt,
      });
      events.push({
        _id: `gift:${giftId.toString()}`,
        kind: 'gift',
        customerId: sink.id,
        campaignId: annId,
        couponId,
        giverId: id,
        fresh: true,
        held: false,
        at: acceptedAt,
        ...(await hashClient({ ip: '203.0.113.9', device: sink.device })),
      });
    }
  }

  // The counters behind the scores, as the claims and gifts would have written them.
  const marks = new Map<string, Record<string, unknown>>();
  for (const e of events as Array<Record<string, any>>) {
    const scored: ScoredEvent = {
      kind: e.kind,
      customerId: e.customerId.toString(),
      campaignId: e.campaignId?.toString(),
      giverId: e.giverId?.toString(),
      ipHash: e.ipHash,
      deviceHash: e.deviceHash,
      fresh: e.fresh,
      at: e.at,
    };
    for (const m of marksOf(scored))
      marks.set(`${m.key}|${m.member}`, { _id: `${m.key}|${m.member}`, key: m.key, customerId: e.customerId, at: e.at });
  }

  const insert = async (model: mongoose.Model<any>, docs: Array<Record<string, unknown>>) => {
    for (let i = 0; i < docs.length; i += 1_000) await model.insertMany(docs.slice(i, i + 1_000), { ordered: false, lean: true });
  };
  await insert(Customer, customerDocs);
  await insert(CustomerIdentity, identityDocs);
  await insert(Member, memberDocs);
  await insert(LedgerEntry, ledger);
  await insert(Coupon, couponDocs);
  await insert(CouponGift, gifts);
  await insert(Redemption, redemptions);
  await insert(FunnelEvent, funnel);
  await insert(Ticket, tickets);
  // With the day and hour the service gives every entry: reports read them by those.
  await insert(
    TimelineEntry,
    timeline.map((entry) => ({ ...entry, day: shanghaiDay(entry.at as Date), hour: shanghaiHour(entry.at as Date) })),
  );
  await insert(EngagementEvent, events);
  await insert(EngagementMark, [...marks.values()]);

  // The demo customer: a gold member with points and coupons of their own.
  const demo = await api.login(DEMO_LOGINS.customer);
  await api.post('/members/join', { acceptTerms: true, termsVersion: await termsVersion(server) }, demo.token);
  for (const c of [campaigns.welcome, campaigns.discount]) {
    await fetch(`${server.url}/api/v1/campaigns/${c.id}/claim`, { method: 'POST', headers: { authorization: `Bearer ${demo.token}` } });
  }
  await api.post(
    '/staff/points/adjust',
    { customerId: demo.customerId, points: 1280, reason: '演示积分', refKey: 'demo-points', storeId: stores[0] },
    admin.token,
  );

  // Score the whole history at once (the scoring job looks at the last two hours every minute).
  await runScoringPass(now, { windowMs: 91 * DAY });

  // The brand's CRM, through its routes: tags (automatic ones kept by rules, manual ones set by the
  // store's manager), then one rules pass over everyone (the job sweeps a page a minute) that also
  // builds the segment index, then the saved segments.
  const members = new Set(memberDocs.map((m) => String(m.customerId)));
  const tags = await seedTags(api, admin.token, stores);
  // Not the followers still waiting for a person: a staff touch after the handover answers them.
  const regulars = people.filter((p) => p.storeQr && p.storeIx === 0 && members.has(p.id.toString()) && !waitingIds.has(p.id.toString()));
  for (const [tag, who] of [
    [tags.vip, regulars.slice(0, 12)],
    [tags.coffee, regulars.slice(12, 20)],
  ] as const) {
    for (const p of who) {
      await api.post(`/staff/customers/${p.id.toString()}/tags`, { tagId: tag, storeId: stores[0] }, staffPeople.manager.token);
    }
  }
  await runRulesPass(new Date(), { sweepAll: true });
  const segments = await seedSegments(api, admin.token, stores, tags);
  // The closed days and today's closed hours rolled up now (the job does it ten minutes after a
  // start): the dashboard's 90 days at once.
  const rolled = await runRollups(new Date());
  await rollHours(new Date());

  await markerCollection().updateOne({ _id: 'demo' }, { $set: { state: 'done', at: new Date() } });
  return {
    seeded: true,
    report: {
      customers: customerDocs.length,
      members: memberDocs.length,
      follows: people.filter((p) => p.follower).length,
      claims: couponDocs.length,
      gifts: gifts.length,
      redemptions: redemptions.length,
      tickets: tickets.length,
      tags: Object.keys(tags).length,
      segments: segments.length,
      rolledDays: rolled.rolled.length,
      farmAccounts: farmIds.length,
      farmCustomerIds: farmIds,
      sinkCustomerId: sink.id.toString(),
      ms: Date.now() - started,
    },
  };
}

/** The brand's tags: automatic ones over what Loopline knows, and manual ones for the staff. */
async function seedTags(api: Http, token: string, stores: string[]) {
  const tag = async (name: string, rule?: Record<string, unknown>): Promise<string> =>
    (await api.post('/admin/crm/tags', { name, ...(rule ? { rule } : {}) }, token)).id;
  return {
    storeFans: await tag('南京西路扫码关注', { kind: 'follow_channel', channel: `store:${stores[0]}` }),
    points: await tag('高积分 1000+', { kind: 'points_at_least', points: 1000 }),
    redeemed: await tag('核销过券', { kind: 'coupon', event: 'redeemed' }),
    lowRating: await tag('差评待回访', { kind: 'low_rating', maxStars: 2 }),
    openTicket: await tag('售后处理中', { kind: 'ticket_open' }),
    hours: await tag('问过营业时间', { kind: 'keyword', keyword: '营业时间' }),
    asleep: await tag('30 天未互动', { kind: 'inactive', days: 30 }),
    vip: await tag('VIP 熟客'),
    coffee: await tag('咖啡爱好者'),
    care: await tag('回访关怀'),
  };
}

/** Saved segments a brand manager would keep (the advocates segment is built in). */
async function seedSegments(api: Http, token: string, stores: string[], tags: Awaited<ReturnType<typeof seedTags>>) {
  const definitions = [
    {
      name: '高价值会员',
      conditions: [
        { kind: 'tier', tiers: ['gold', 'black_gold'] },
        { kind: 'points', atLeast: 1000 },
      ],
    },
    { name: '近30天活跃', conditions: [{ kind: 'active', withinDays: 30 }] },
    { name: '投诉待回访', conditions: [{ kind: 'tag', tagId: tags.lowRating }] },
    {
      name: '南京西路 · 沉睡会员',
      conditions: [
        { kind: 'store', storeId: stores[0] },
        { kind: 'behaviour', behaviour: 'member' },
        { kind: 'active', withinDays: 30, negate: true },
      ],
    },
    {
      name: '关注未入会',
      conditions: [
        { kind: 'following', value: true },
        { kind: 'behaviour', behaviour: 'member', negate: true },
      ],
    },
  ];
  const ids: string[] = [];
  for (const d of definitions) ids.push((await api.post('/admin/crm/segments', d, token)).id);
  return ids;
}

async function termsVersion(server: RunningServer): Promise<string> {
  const { MEMBERSHIP_TERMS_VERSION } = await import('@shared/api/members');
  void server;
  return MEMBERSHIP_TERMS_VERSION;
}

/** Flags of the seed that are not about the attack: the false positives on honest traffic. */
export async function honestFlags(report: SeedReport): Promise<{ flagged: number; events: number }> {
  const attack = new Set([...report.farmCustomerIds, report.sinkCustomerId]);
  const flags = await EngagementFlag.find({ kind: { $ne: 'redemption' } }, { customerId: 1 }).lean();
  const events = await EngagementEvent.find({}, { customerId: 1 }).lean();
  return {
    flagged: flags.filter((f) => !attack.has(String(f.customerId))).length,
    events: events.filter((e) => !attack.has(String(e.customerId))).length,
  };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const server = await startServer({ ...config, port: 0, host: '127.0.0.1', logLevel: 'warn' });
  try {
    const outcome = await seedDemo(server);
    if (!outcome.seeded) {
      process.stdout.write('This database holds the demo brand already: nothing to do.\n');
    } else {
      const r = outcome.report;
      const fp = await honestFlags(r);
      process.stdout.write(
        [
          `Seeded the demo brand in ${(r.ms / 1000).toFixed(1)} s: 3 stores, 5 staff, 4 campaigns, ${r.customers} customers ` +
            `(${r.members} members, ${r.follows} followers), ${r.claims} claims, ${r.gifts} gifts, ${r.redemptions} redemptions, ${r.tickets} tickets,`,
          `${r.tags} tags and ${r.segments} segments (every customer tagged by the rules), ${r.rolledDays} days rolled up for the dashboard,`,
          `and a coupon-farming attack (${r.farmAccounts} new accounts behind 3 addresses) for the review queue ` +
            `(honest activity flagged: ${fp.flagged} of ${fp.events}).`,
        ].join('\n') + '\n',
      );
    }
    process.stdout.write(
      [
        '',
        'Start it with `npm start` (same DATA_DIR / MONGODB_URI) and sign in at http://127.0.0.1:3000 as:',
        `  admin    ${DEMO_LOGINS.admin}      (我的 → 品牌管理后台: 数据看板, funnel, 标签, 人群, 异常互动审核)`,
        `  manager  ${DEMO_LOGINS.manager}    (南京西路旗舰店: 今日待办, 数据看板)`,
        `  clerk    ${DEMO_LOGINS.clerk}      (南京西路旗舰店; demo-clerk-2 redeems far above the store's rate)`,
        `  customer ${DEMO_LOGINS.customer}   (a member with points and coupons)`,
        '',
      ].join('\n'),
    );
  } finally {
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main()
    .then(() => process.exit(0))
    .catch((err) => {
      process.stderr.write(`demo seed refused: ${(err as Error).message ?? err}\n`);
      process.exit(1);
    });
}
