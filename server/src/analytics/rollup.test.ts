// The dashboard's figures (rollups of closed days + the live part) equal a brute-force count over the
// seeded timeline, also after the rollup job was killed mid-run and run again; roles and CSV.
import { spawn } from 'node:child_process';
import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTimeline, shanghaiDayOf, type SeedEntry } from '../../test/analyticsSeed';
import { startTestApp, type TestApp } from '../../test/helpers';
import { login, type SignedIn } from '../../test/session';
import { LOGIN_LIMITS } from '../auth/routes';
import { appendTimeline } from '../customers';
import { rollHours } from './live';
import { runRollups } from './rollup';

let app: TestApp;
let admin: SignedIn;
let manager: SignedIn;
let clerk: SignedIn;
let storeA: string;
let storeB: string;
const campaigns = [new Types.ObjectId().toString(), new Types.ObjectId().toString()];
let entries: SeedEntry[] = [];
const now = new Date();
const DAY = 86_400_000;
const day = (offset: number) => shanghaiDayOf(new Date(now.getTime() + offset * DAY));

const get = (path: string, who: SignedIn) => app.request('GET', path, { token: who.token });

beforeAll(async () => {
  app = await startTestApp({ ADMIN_OPENIDS: 'an-admin' });
  LOGIN_LIMITS.perIp.max = 10_000;
  admin = await login(app, 'an-admin');
  storeA = (await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '徐汇店', code: 'AN-XH' } })).body.id;
  storeB = (await app.request('POST', '/api/v1/admin/stores', { token: admin.token, body: { name: '浦东店', code: 'AN-PD' } })).body.id;
  [manager, clerk] = await Promise.all([login(app, 'an-manager'), login(app, 'an-clerk')]);
  for (const [who, role] of [
    [manager, 'manager'],
    [clerk, 'clerk'],
  ] as const) {
    const res = await app.request('POST', '/api/v1/admin/staff', {
      token: admin.token,
      body: { customerId: who.customerId, role, storeId: storeA },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  generateTimeline({ customers: 400, days: 75, now, stores: [storeA, storeB], campaigns, seed: 11 }, (batch) => entries.push(...batch));
  // Entries of the timeline written before this test (logins, staff grants) count too: read them back.
  const timeline = mongoose.connection.collection('timeline');
  const before = (await timeline.find({}).toArray()) as unknown as SeedEntry[];
  await timeline.insertMany(entries, { ordered: false });
  entries = [...before, ...entries];
}, 180_000);

afterAll(async () => {
  await app?.close();
});

// ---- brute force: straight from the seeded entries, sharing no code with the module ----

const sceneChannel = (scene: unknown) =>
  typeof scene === 'string' && /^store:[0-9a-f]{24}$/.test(scene) ? 'store_qr' : typeof scene === 'string' && scene ? 'qr' : 'search';
const sceneStore = (scene: unknown) => (typeof scene === 'string' && scene.startsWith('store:') ? scene.slice(6) : '-');

function bruteForce(from: string, to: string, store: string | undefined, rolledThrough: string | null, asOf: string | null) {
  const inRange = (e: SeedEntry) => e.day >= from && e.day <= to;
  const storeOf = (e: SeedEntry) => e.storeId?.toString() ?? '-';
  const inStore = (s: string) => store === undefined || s === store;
  const sorted = [...entries].sort((a, b) => +a.at - +b.at || String(a._id).localeCompare(String(b._id)));
  const acquisition = new Map<string, { channel: string; store: string; day: string }>();
  for (const e of sorted) {
    const id = e.customerId.toString();
    if (acquisition.has(id)) continue;
    const d = (e.data ?? {}) as Record<string, unknown>;
    if (e.type === 'oa.message') acquisition.set(id, { channel: d.keywordRule ? 'keyword' : 'message', store: '-', day: e.day });
    else if (e.type === 'oa.event' && (d.type === 'subscribe' || d.type === 'SCAN'))
      acquisition.set(id, { channel: sceneChannel(d.scene), store: sceneStore(d.scene), day: e.day });
    else if (e.type === 'oa.event' && d.type === 'CLICK') acquisition.set(id, { channel: 'menu', store: '-', day: e.day });
  }
  const voided = new Set(
    entries.filter((e) => e.type === 'coupon.redemption_voided').map((e) => (e.data as { redemptionId: string }).redemptionId),
  );
  const count = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);
  const r = {
    messagesIn: 0,
    repliesBot: 0,
    repliesStaff: 0,
    passive: 0,
    late: 0,
    follows: new Map<string, number>(),
    unfollows: new Map<string, number>(),
    acquired: new Map<string, number>(),
    joins: 0,
    claimed: 0,
    gifted: 0,
    redeemed: 0,
    sales: 0,
    cost: 0,
    withAmount: 0,
    byCampaign: new Map<string, number>(),
    opened: new Map<string, number>(),
    fr: [0, 0, 0],
    res: [0, 0, 0],
    oaComplaints: 0,
    escalated: 0,
    human: [0, 0],
    csat: new Map<string, number>(),
  };
  for (const e of entries) {
    if (!inRange(e)) continue;
    const d = (e.data ?? {}) as Record<string, any>;
    const s = storeOf(e);
    switch (e.type) {
      case 'oa.message':
        r.messagesIn++;
        break;
      case 'oa.reply':
        r.repliesBot++;
        if (d.via === 'passive') r.passive++;
        else r.late++;
        break;
      case 'ticket.reply_delivery':
        if (d.channel === 'official_account' && d.status === 'sent') r.repliesStaff++;
        break;
      case 'oa.event':
        if (d.type === 'subscribe' && inStore(sceneStore(d.scene))) count(r.follows, sceneChannel(d.scene));
        if (d.type === 'unsubscribe') {
          const a = acquisition.get(e.customerId.toString());
          if (inStore(a?.store ?? '-')) count(r.unfollows, a?.channel ?? 'unknown');
        }
        break;
      case 'member.joined':
        r.joins++;
        break;
      case 'coupon.claimed':
        r.claimed++;
        break;
      case 'coupon.gift_sent':
        r.gifted++;
        break;
      case 'coupon.redeemed':
        if (voided.has(d.redemptionId) || !inStore(s)) break;
        r.redeemed++;
        r.cost += d.discountFen;
        if (d.orderAmountFen !== undefined && d.orderAmountFen !== null) {
          r.withAmount++;
          r.sales += d.orderAmountFen;
        }
        count(r.byCampaign, d.campaignId, d.orderAmountFen ?? 0);
        break;
      case 'ticket.created':
        if (!inStore(s)) break;
        count(r.opened, d.type);
        if (d.source === 'official_account' && d.type === 'complaint') r.oaComplaints++;
        break;
      case 'ticket.escalated':
        if (inStore(s)) r.escalated++;
        break;
      case 'ticket.rated':
        if (inStore(s)) count(r.csat, String(d.stars));
        break;
    }
    if (d.firstResponse && inStore(s)) {
      r.fr[0]!++;
      r.fr[1]! += d.firstResponse.ms;
      if (d.firstResponse.breached) r.fr[2]!++;
      if (d.source === 'official_account' && d.ticketType === 'complaint') {
        r.human[0]!++;
        r.human[1]! += d.firstResponse.ms;
      }
    }
    if (e.type === 'ticket.resolve' && d.resolution && inStore(s)) {
      r.res[0]!++;
      r.res[1]! += d.resolution.ms;
      if (d.resolution.breached) r.res[2]!++;
    }
  }
  for (const a of acquisition.values()) {
    if (a.day >= from && a.day <= to && rolledThrough && a.day <= rolledThrough && inStore(a.store)) count(r.acquired, a.channel);
  }

  // Members as of a day: joined by then, touched in the 30 days up to it, tier, repeat redemptions, cohorts.
  let snapshot:
    { active30: number; repeat: number; tiers: Map<string, number>; cohorts: Map<string, number>; sizes: Map<string, number> } | undefined;
  if (asOf && !store) {
    const end = Date.parse(`${asOf}T00:00:00+08:00`) + DAY;
    const windowStart = end - 30 * DAY;
    const touches = new Set([
      'oa.message',
      'member.joined',
      'member.identified',
      'coupon.claimed',
      'coupon.gift_offered',
      'coupon.gift_sent',
      'coupon.gift_received',
      'coupon.redeemed',
      'ticket.created',
      'ticket.message',
      'ticket.rated',
      'points.exchanged',
    ]);
    const people = new Map<
      string,
      { joined?: string; tier: string; tierAt: number; active: boolean; months: Set<string>; redemptions: number }
    >();
    const p = (id: string) =>
      people.get(id) ?? people.set(id, { tier: 'regular', tierAt: 0, active: false, months: new Set(), redemptions: 0 }).get(id)!;
    for (const e of sorted) {
      if (+e.at >= end) continue;
      const person = p(e.customerId.toString());
      const d = (e.data ?? {}) as Record<string, any>;
      if (e.type === 'member.joined' && !person.joined) person.joined = e.day;
      if (e.type === 'member.tier_changed') person.tier = d.to;
      if (e.type === 'coupon.redeemed' && !voided.has(d.redemptionId)) person.redemptions++;
      const touch = touches.has(e.type) || (e.type === 'oa.event' && d.type !== 'unsubscribe');
      if (touch) {
        if (+e.at >= windowStart) person.active = true;
        person.months.add(e.day.slice(0, 7));
        (person as { touchDays?: string[] }).touchDays = [...((person as { touchDays?: string[] }).touchDays ?? []), e.day];
      }
    }
    snapshot = { active30: 0, repeat: 0, tiers: new Map(), cohorts: new Map(), sizes: new Map() };
    for (const person of people.values()) {
      if (person.redemptions >= 2) snapshot.repeat++;
      if (!person.joined) continue;
      if (person.active) snapshot.active30++;
      count(snapshot.tiers, person.tier);
      const joinMonth = person.joined.slice(0, 7);
      count(snapshot.sizes, joinMonth);
      const months = new Set(
        ((person as { touchDays?: string[] }).touchDays ?? []).filter((t) => t >= person.joined!).map((t) => t.slice(0, 7)),
      );
      for (const m of months) count(snapshot.cohorts, `${joinMonth}>${m}`);
    }
  }
  return { ...r, snapshot };
}

const asMap = (rows: Array<{ key: string; count: number }>) =>
  new Map(rows.filter((row) => row.count).map((row) => [row.key, row.count] as const));
const noZeros = (m: Map<string, number>) => new Map([...m].filter(([, n]) => n));

function expectMatches(report: any, expected: ReturnType<typeof bruteForce>, store: string | undefined) {
  const i = report.interactions;
  if (!store) {
    expect(i.messagesIn).toBe(expected.messagesIn);
    expect(i.repliesBot).toBe(expected.repliesBot);
    expect(i.repliesStaff).toBe(expected.repliesStaff);
    expect(i.answeredWithin5s.count).toBe(expected.passive);
    expect(i.answeredWithin5s.of).toBe(expected.passive + expected.late);
    expect(report.members.joins).toBe(expected.joins);
    expect(report.coupons.claimed).toBe(expected.claimed);
    expect(report.coupons.gifted).toBe(expected.gifted);
  } else {
    expect(i.messagesIn).toBeNull();
    expect(report.coupons.claimed).toBeNull();
  }
  expect(asMap(i.followsByChannel)).toEqual(noZeros(expected.follows));
  expect(asMap(i.unfollowsByChannel)).toEqual(noZeros(expected.unfollows));
  expect(asMap(i.acquiredByChannel)).toEqual(noZeros(expected.acquired));
  const c = report.coupons;
  expect([c.redeemed, c.salesFen, c.costFen, c.withAmount]).toEqual([
    expected.redeemed,
    expected.sales,
    expected.cost,
    expected.withAmount,
  ]);
  expect(new Map(c.byCampaign.map((row: any) => [row.key, row.salesFen]).filter(([, n]: any) => n))).toEqual(noZeros(expected.byCampaign));
  expect(c.byStore.reduce((n: number, row: any) => n + row.salesFen, 0)).toBe(expected.sales);
  expect(c.byChannel.reduce((n: number, row: any) => n + row.redeemed, 0)).toBe(expected.redeemed);
  const s = report.service;
  expect(asMap(s.openedByType)).toEqual(noZeros(expected.opened));
  expect([s.firstResponse.count, s.firstResponse.breached]).toEqual([expected.fr[0], expected.fr[2]]);
  expect(s.firstResponse.averageMs).toBe(expected.fr[0] ? Math.round(expected.fr[1]! / expected.fr[0]!) : null);
  expect([s.resolution.count, s.resolution.breached]).toEqual([expected.res[0], expected.res[2]]);
  expect(s.complaints.fromOfficialAccount).toBe(expected.oaComplaints);
  expect(s.complaints.escalated).toBe(expected.escalated);
  expect(s.complaints.firstHumanAnswer.count).toBe(expected.human[0]);
  expect(asMap(s.csat.distribution)).toEqual(noZeros(expected.csat));
  if (expected.snapshot) {
    const m = report.members;
    expect(m.active30).toBe(expected.snapshot.active30);
    expect(m.repeatCustomers).toBe(expected.snapshot.repeat);
    expect(asMap(m.tierMix)).toEqual(noZeros(expected.snapshot.tiers));
    expect(new Map(m.cohorts.map((row: any) => [row.joinMonth, row.size]))).toEqual(expected.snapshot.sizes);
    expect(
      new Map(m.cohorts.flatMap((row: any) => row.retention.map((cell: any) => [`${row.joinMonth}>${cell.month}`, cell.active]))),
    ).toEqual(expected.snapshot.cohorts);
  }
}

async function checkRanges() {
  for (const [from, to, store] of [
    [day(-80), day(0), undefined],
    [day(-30), day(-3), undefined],
    [day(-89), day(0), 'A'],
    [day(-6), day(0), undefined],
  ] as const) {
    const storeId = store === 'A' ? storeA : undefined;
    const res = await get(`/api/v1/analytics/dashboard?from=${from}&to=${to}${storeId ? `&storeId=${storeId}` : ''}`, admin);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectMatches(res.body, bruteForce(from, to, storeId, res.body.rolledThrough, res.body.members.asOf), storeId);
  }
}

/** Runs the rollup in a process of its own; with a failpoint it dies (SIGKILL) after writing one day. */
function rollupProcess(failpoint?: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/analytics/rollupCommand.ts'], {
      env: {
        ...process.env,
        MONGODB_URI: app.config.mongodbUri!,
        LOG_LEVEL: 'silent',
        ...(failpoint ? { LOOPLINE_FAILPOINTS: failpoint } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('analytics dashboard', () => {
  it('before any rollup: every day counted live equals the brute force', async () => {
    await checkRanges();
  }, 180_000);

  it('a rollup killed after its first day, then run again, leaves figures equal to the brute force', async () => {
    const killed = await rollupProcess('analytics-rollup.after-day');
    expect(killed.signal, killed.out).toBe('SIGKILL');
    const rollups = mongoose.connection.collection('analytics_daily_rollups');
    const afterKill = await rollups.countDocuments();
    expect(afterKill).toBe(1);
    await checkRanges();

    // The first whole pass, as it would have run ten days ago: it reads the whole timeline and
    // saves the people as of its last day.
    const first = await runRollups(new Date(now.getTime() - 10 * DAY));
    expect(first.read).toBe('timeline');
    const afterFirst = await rollups.countDocuments();
    expect(afterFirst).toBeGreaterThan(55);
    await checkRanges();

    // The next pass starts from that state and reads only the days after it; killed after one day…
    const killedLater = await rollupProcess('analytics-rollup.after-day');
    expect(killedLater.signal, killedLater.out).toBe('SIGKILL');
    expect(await rollups.countDocuments()).toBe(afterFirst + 1);
    await checkRanges();

    // …and run again, from the same saved state.
    const rerun = await rollupProcess();
    expect(rerun.code, rerun.out).toBe(0);
    expect(rerun.out).toContain('from the saved state');
    const written = await rollups.countDocuments();
    expect(written).toBeGreaterThan(70);
    await checkRanges();

    // A second pass in this process finds nothing to do; a repeat of a written day changes nothing.
    expect((await runRollups(now)).rolled).toEqual([]);
    expect(await rollups.countDocuments()).toBe(written);
  }, 300_000);

  it("today's closed hours are rolled up once each, and the figures still equal the brute force", async () => {
    // Due: every hour of a day without a day rollup (today; yesterday too in its first hour after
    // midnight) that ended a quarter of an hour ago.
    const rolledDays = new Set(
      (await mongoose.connection.collection('analytics_daily_rollups').find({}).toArray()).map((d) => String(d._id)),
    );
    const days = [day(-1), day(0)].filter((d) => ![...rolledDays].some((id) => id.endsWith(`:${d}`)));
    const due = days.flatMap((d) =>
      Array.from({ length: 24 }, (_, h) => `${d}T${String(h).padStart(2, '0')}`).filter(
        (hour) => Date.parse(`${hour}:00:00+08:00`) + 75 * 60_000 <= now.getTime(),
      ),
    );
    // The server's own periodic job may have written some already: together, each due hour once.
    await rollHours(now);
    const hourly = await mongoose.connection.collection('analytics_hourly_rollups').find({}).toArray();
    expect(hourly.map((h) => String(h.hour)).sort()).toEqual(due.sort());
    expect(await rollHours(now)).toEqual([]);
    await checkRanges();
  }, 180_000);

  it('today stays live: an entry written now shows at once', async () => {
    const query = `/api/v1/analytics/dashboard?from=${day(0)}&to=${day(0)}`;
    const before = (await get(query, admin)).body;
    expect(before.liveDays).toContain(day(0));
    await appendTimeline(new Types.ObjectId(), { type: 'oa.message', channel: 'official_account', summary: 'hi', data: { type: 'text' } });
    const after = (await get(query, admin)).body;
    expect(after.interactions.messagesIn).toBe(before.interactions.messagesIn + 1);
  });

  it('managers see their own store only; clerks and customers are refused; bad ranges are 400', async () => {
    const mine = await get(`/api/v1/analytics/dashboard?from=${day(-10)}&to=${day(0)}`, manager);
    expect(mine.status).toBe(200);
    expect(mine.body.storeId).toBe(storeA);
    expect(mine.body.interactions.messagesIn).toBeNull();
    expect((await get(`/api/v1/analytics/dashboard?from=${day(-10)}&to=${day(0)}&storeId=${storeB}`, manager)).status).toBe(403);
    expect((await get(`/api/v1/analytics/dashboard?from=${day(-10)}&to=${day(0)}`, clerk)).status).toBe(403);
    const customer = await login(app, 'an-customer');
    expect((await get(`/api/v1/analytics/dashboard?from=${day(-10)}&to=${day(0)}`, customer)).status).toBe(403);
    expect((await app.request('GET', `/api/v1/analytics/dashboard?from=${day(-10)}&to=${day(0)}`)).status).toBe(401);
    const bad = await get(`/api/v1/analytics/dashboard?from=${day(0)}&to=${day(-3)}`, admin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect((await get('/api/v1/analytics/dashboard?from=2026-02-30&to=2026-03-01', admin)).status).toBe(400);
    expect((await get('/api/v1/analytics/dashboard?from=2024-01-01&to=2026-01-01', admin)).status).toBe(400);
  });

  it("states its attribution rules, shows the engagement review's flagged counts beside the totals, and exports the same figures as CSV", async () => {
    const q = `from=${day(-20)}&to=${day(0)}`;
    const json = (await get(`/api/v1/analytics/dashboard?${q}`, admin)).body;
    expect(json.attribution.redemption).toMatch(/campaign/);
    expect(json.attribution.acquisition).toMatch(/first/);
    // The seeded timeline holds no scored claims, gifts or follows: nothing flagged, and it says so.
    expect(json.coupons.flagged).toEqual({ claims: 0, gifts: 0, follows: 0 });
    const csv = await get(`/api/v1/analytics/dashboard.csv?${q}`, admin);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="loopline-dashboard-/);
    const lines = csv.text.replace(/^\ufeff/, '').split('\r\n');
    expect(lines[0]).toBe('section,metric,key,value');
    expect(lines).toContain(`coupons,redeemed,,${json.coupons.redeemed}`);
    expect(lines).toContain(`coupons,salesFen,,${json.coupons.salesFen}`);
    expect(lines).toContain(`interactions,messagesIn,,${json.interactions.messagesIn}`);
    expect(lines).toContain('coupons,flaggedClaims,,0');
    const header = lines.indexOf(
      'day,messagesIn,repliesBot,repliesStaff,follows,unfollows,joins,claimed,gifted,redeemed,salesFen,costFen,ticketsOpened,active30',
    );
    expect(header).toBeGreaterThan(0);
    expect(lines.slice(header + 1).filter(Boolean)).toHaveLength(json.series.length);
  });
});
