import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { isDuplicateKey } from '../../platform/db/errors';
import { forbidden } from '../../platform/http/errors';
import { jsonBody, parseWith } from '../../platform/http/middleware';
import { SIMULATOR_PREFIX } from '../client';
import { menuRefusal } from './menu';
import { SimApiCall, SimCounter, SimFault, SimFollower, SimMenu, SimMessage, SimQrCode, SimTag, SimToken, SimTokenCall } from './model';

// A stand-in for api.weixin.qq.com, mounted at /__wechat when no app secret is configured. It
// answers the way the platform does (HTTP 200, errcode/errmsg in the JSON) and keeps its state in
// the database. The /_sim/* routes are for local tools and tests, not part of the platform.

const TOKEN_LIFETIME_S = 7200;
/** In its last 5 minutes a token is replaced by a new one on fetch; the old one stays valid until it ends. */
const TOKEN_OVERLAP_S = 300;
const LOGIN_CODE = /^test:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_-]{1,64}))?$/;
const PHONE_CODE = /^test-phone:(\d{5,15})$/;

const fail = (ctx: Context, errcode: number, errmsg: string) => {
  ctx.body = { errcode, errmsg };
};
const ok = (ctx: Context, extra: Record<string, unknown> = {}) => {
  ctx.body = { errcode: 0, errmsg: 'ok', ...extra };
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the simulator reads the platform's loosely typed JSON
const body = (ctx: Context) => (ctx.request.body ?? {}) as Record<string, any>;
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

async function nextValue(counter: string): Promise<number> {
  const doc = await SimCounter.findOneAndUpdate({ _id: counter }, { $inc: { value: 1 } }, { upsert: true, new: true }).lean();
  return doc!.value;
}

async function issueToken(appid: string, force: boolean, reuse: boolean) {
  const now = new Date();
  if (reuse && !force) {
    const current = await SimToken.findOne({ appid, valid: true, expiresAt: { $gt: now } })
      .sort({ issuedAt: -1 })
      .lean();
    const remainingS = current ? Math.floor((current.expiresAt.getTime() - now.getTime()) / 1000) : 0;
    if (current && remainingS > TOKEN_OVERLAP_S) return { access_token: current._id, expires_in: remainingS };
  }
  const token = randomBytes(24).toString('base64url');
  await SimToken.create({ _id: token, appid, issuedAt: now, expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_S * 1000) });
  await nextValue(`fetch:${appid}`);
  return { access_token: token, expires_in: TOKEN_LIFETIME_S };
}

/** The appid the call's access token belongs to, or an errcode answer already written. */
async function authorize(ctx: Context): Promise<string | undefined> {
  const token = str(ctx.query.access_token);
  if (!token) return void fail(ctx, 41001, 'access_token missing');
  const doc = await SimToken.findById(token).lean();
  if (!doc || !doc.valid) return void fail(ctx, 40001, 'invalid credential, access_token is invalid or not latest');
  if (doc.expiresAt.getTime() <= Date.now()) return void fail(ctx, 42001, 'access_token expired');
  return doc.appid;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stored follower or a lean document of one
function rawUser(f: InstanceType<typeof SimFollower> | Record<string, any> | null, openid: string) {
  if (!f || !f.subscribe) return { subscribe: 0, openid };
  return {
    subscribe: 1,
    openid: f._id,
    language: 'zh_CN',
    subscribe_time: Math.floor(new Date(f.subscribeTime).getTime() / 1000),
    ...(f.unionid ? { unionid: f.unionid } : {}),
    remark: f.remark ?? '',
    groupid: 0,
    tagid_list: f.tagIds ?? [],
    subscribe_scene: f.scene,
    qr_scene: f.qrScene ?? 0,
    qr_scene_str: f.qrSceneStr ?? '',
  };
}

/** The customer-service window: 48 hours after the follower's last message, click, scan or follow. */
const REPLY_WINDOW_MS = 48 * 3600_000;

/**
 * The message APIs' frequency limit (45011 when exceeded), set through /_sim/settings (0: none).
 * Counted per second in this process: a test server serves its own simulator.
 */
const sendRate = { limit: 0, checkedAt: 0, second: 0, used: 0 };
async function overSendRate(): Promise<boolean> {
  const now = Date.now();
  if (now - sendRate.checkedAt > 1000) {
    sendRate.limit = (await SimCounter.findById('setting:sendsPerSecond').lean())?.value ?? 0;
    sendRate.checkedAt = now;
  }
  if (!sendRate.limit) return false;
  const second = Math.floor(now / 1000);
  if (second !== sendRate.second) {
    sendRate.second = second;
    sendRate.used = 0;
  }
  return ++sendRate.used > sendRate.limit;
}

const seedFollowersSchema = z.object({
  followers: z
    .array(
      z.object({
        openid: z.string().min(1).max(64),
        unionid: z.string().min(1).max(64).optional(),
        subscribe: z.boolean().default(true),
        scene: z.string().max(64).default('ADD_SCENE_SEARCH'),
        qrScene: z.number().int().min(0).default(0),
        qrSceneStr: z.string().max(64).default(''),
        tags: z.array(z.number().int()).max(20).default([]),
        remark: z.string().max(30).default(''),
        subscribeTime: z.iso.datetime().optional(),
        /** The follower's last message, click, scan or follow: customer-service messages are refused 48 h after it. */
        lastInteractionAt: z.iso.datetime().optional(),
      }),
    )
    .min(1)
    .max(1000),
});

const faultSchema = z.object({
  path: z.string().startsWith('/'),
  times: z.number().int().min(1).max(100).default(1),
  errcode: z.number().int().optional(),
  delayMs: z.number().int().min(0).max(60_000).optional(),
});

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export interface SimulatorOptions {
  /** Answer every client, not only loopback ones (WECHAT_SIMULATOR_PUBLIC, for a demo on a LAN). */
  public?: boolean;
}

export function createSimulatorRouter(options: SimulatorOptions = {}): Router {
  const router = new Router({ prefix: SIMULATOR_PREFIX });
  // It hands out tokens for any secret and shows every message sent: loopback only, both by the
  // socket and by the client address a trusted proxy forwarded.
  router.use(async (ctx, next) => {
    if (!options.public && !(isLoopback(ctx.req.socket.remoteAddress) && isLoopback(ctx.ip))) {
      throw forbidden('The WeChat simulator answers local clients only.');
    }
    await next();
  });
  router.use(jsonBody({ limit: 1024 * 1024 }));

  // Faults set up by tests: played before the platform route answers.
  router.use(async (ctx, next) => {
    const path = ctx.path.slice(SIMULATOR_PREFIX.length);
    if (path.startsWith('/_sim/')) return next();
    const fault = await SimFault.findOneAndUpdate({ _id: path, remaining: { $gt: 0 } }, { $inc: { remaining: -1 } }).lean();
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.errcode !== undefined && fault.errcode !== null) return fail(ctx, fault.errcode, 'system error');
    return next();
  });

  // Access tokens.
  router.post('/cgi-bin/stable_token', async (ctx) => {
    const b = body(ctx);
    if (b.grant_type !== 'client_credential') return fail(ctx, 40002, 'invalid grant_type');
    if (!str(b.appid)) return fail(ctx, 41002, 'appid missing');
    if (!str(b.secret)) return fail(ctx, 41004, 'appsecret missing');
    await SimTokenCall.create({ appid: b.appid, endpoint: 'stable_token', at: new Date() });
    ctx.body = await issueToken(b.appid, b.force_refresh === true, true);
  });
  router.get('/cgi-bin/token', async (ctx) => {
    const appid = str(ctx.query.appid);
    if (ctx.query.grant_type !== 'client_credential') return fail(ctx, 40002, 'invalid grant_type');
    if (!appid) return fail(ctx, 41002, 'appid missing');
    if (!str(ctx.query.secret)) return fail(ctx, 41004, 'appsecret missing');
    await SimTokenCall.create({ appid, endpoint: 'token', at: new Date() });
    // Each fetch here replaces the previous token, which lives on for 5 more minutes.
    const overlapEnd = new Date(Date.now() + TOKEN_OVERLAP_S * 1000);
    await SimToken.updateMany({ appid, expiresAt: { $gt: overlapEnd } }, { $set: { expiresAt: overlapEnd } });
    ctx.body = await issueToken(appid, true, false);
  });

  // Mini-program.
  router.get('/sns/jscode2session', async (ctx) => {
    if (!str(ctx.query.appid) || !str(ctx.query.secret)) return fail(ctx, 41002, 'appid or secret missing');
    if (ctx.query.grant_type !== 'authorization_code') return fail(ctx, 40002, 'invalid grant_type');
    const match = LOGIN_CODE.exec(str(ctx.query.js_code) ?? '');
    if (!match) return fail(ctx, 40029, 'invalid code');
    ctx.body = {
      openid: match[1],
      session_key: randomBytes(16).toString('base64'),
      ...(match[2] ? { unionid: match[2] } : {}),
    };
  });
  router.post('/wxa/business/getuserphonenumber', async (ctx) => {
    const appid = await authorize(ctx);
    if (!appid) return;
    const match = PHONE_CODE.exec(str(body(ctx).code) ?? '');
    if (!match) return fail(ctx, 40029, 'invalid code');
    const digits = match[1]!;
    ok(ctx, {
      phone_info: {
        phoneNumber: digits,
        purePhoneNumber: digits,
        countryCode: '86',
        watermark: { timestamp: Math.floor(Date.now() / 1000), appid },
      },
    });
  });
  router.post('/cgi-bin/message/subscribe/send', async (ctx) => {
    const appid = await authorize(ctx);
    if (!appid) return;
    const b = body(ctx);
    if (!str(b.touser) || !str(b.template_id) || typeof b.data !== 'object') return fail(ctx, 47003, 'argument invalid');
    if (await overSendRate()) return fail(ctx, 45011, 'api minute-quota reach limit, must slower, retry next minute');
    await SimMessage.create({ kind: 'subscribe', appid, touser: b.touser, body: b });
    ok(ctx);
  });

  // Official account: messages.
  router.post('/cgi-bin/message/custom/send', async (ctx) => {
    const appid = await authorize(ctx);
    if (!appid) return;
    const b = body(ctx);
    const msgtype = str(b.msgtype);
    if (!str(b.touser) || !msgtype || typeof b[msgtype] !== 'object') return fail(ctx, 47003, 'argument invalid');
    if (await overSendRate()) return fail(ctx, 45011, 'api minute-quota reach limit, must slower, retry next minute');
    // A follower whose interactions the simulator was told of: the platform's window and follow rules.
    const follower = await SimFollower.findById(b.touser, { subscribe: 1, lastInteractionAt: 1 }).lean();
    if (follower?.lastInteractionAt) {
      if (!follower.subscribe) return fail(ctx, 43004, 'require subscribe');
      if (Date.now() - follower.lastInteractionAt.getTime() > REPLY_WINDOW_MS)
        return fail(ctx, 45015, 'response out of time limit or subscription is canceled');
    }
    await SimMessage.create({ kind: 'custom', appid, touser: b.touser, msgtype, body: b });
    ok(ctx);
  });
  router.post('/cgi-bin/message/template/send', async (ctx) => {
    const appid = await authorize(ctx);
    if (!appid) return;
    const b = body(ctx);
    if (!str(b.touser) || !str(b.template_id) || typeof b.data !== 'object') return fail(ctx, 47003, 'argument invalid');
    if (await overSendRate()) return fail(ctx, 45011, 'api minute-quota reach limit, must slower, retry next minute');
    const follower = await SimFollower.findById(b.touser).lean();
    if (!follower?.subscribe) return fail(ctx, 43004, 'require subscribe');
    await SimMessage.create({ kind: 'template', appid, touser: b.touser, body: b });
    ok(ctx, { msgid: await nextValue('template-msgid') });
  });

  // Official account: followers.
  router.get('/cgi-bin/user/info', async (ctx) => {
    if (!(await authorize(ctx))) return;
    const openid = str(ctx.query.openid);
    if (!openid) return fail(ctx, 40003, 'invalid openid');
    const follower = await SimFollower.findById(openid).lean();
    if (!follower) return fail(ctx, 40003, 'invalid openid');
    ctx.body = rawUser(follower, openid);
  });
  router.post('/cgi-bin/user/info/batchget', async (ctx) => {
    if (!(await authorize(ctx))) return;
    const list = body(ctx).user_list;
    if (!Array.isArray(list) || list.length === 0) return fail(ctx, 47003, 'argument invalid');
    if (list.length > 100) return fail(ctx, 45008, 'user_list size out of limit');
    const openids = list.map((u) => str(u?.openid) ?? '');
    const found = await SimFollower.find({ _id: { $in: openids } }).lean();
    const byId = new Map(found.map((f) => [f._id, f]));
    ctx.body = { user_info_list: openids.map((openid) => rawUser(byId.get(openid) ?? null, openid)) };
  });
  router.get('/cgi-bin/user/get', async (ctx) => {
    if (!(await authorize(ctx))) return;
    const after = str(ctx.query.next_openid);
    const filter = { subscribe: true, ...(after ? { _id: { $gt: after } } : {}) };
    const pageSize = (await SimCounter.findById('setting:userGetPageSize').lean())?.value || 10_000;
    const [total, page] = await Promise.all([
      SimFollower.countDocuments({ subscribe: true }),
      SimFollower.find(filter, { _id: 1 }).sort({ _id: 1 }).limit(pageSize).lean(),
    ]);
    const openids = page.map((f) => f._id);
    ctx.body = {
      total,
      count: openids.length,
      ...(openids.length ? { data: { openid: openids } } : {}),
      next_openid: openids.at(-1) ?? '',
    };
  });

  // Official account: tags.
  router.post('/cgi-bin/tags/create', async (ctx) => {
    if (!(await authorize(ctx))) return;
    const name = str(body(ctx).tag?.name)?.trim();
    if (!name || name.length > 30) return fail(ctx, 45158, 'tag name too long');
    if ((await SimTag.countDocuments()) >= 100) return fail(ctx, 45056, 'too many tags');
    if (await SimTag.exists({ name })) return fail(ctx, 45157, 'tag name duplicated');
    // The counter may lag behind the ids taken (its $inc is not atomic on every engine): take the next free one.
    for (let attempt = 0; attempt < 20; attempt++) {
      const id = 100 + (await nextValue('tag'));
      try {
        await SimTag.create({ _id: id, name });
        ctx.body = { tag: { id, name } };
        return;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (await SimTag.exists({ name })) return fail(ctx, 45157, 'tag name duplicated');
      }
    }
    fail(ctx, -1, 'system error');
  });
  router.get('/cgi-bin/tags/get', async (ctx) => {
    if (!(await authorize(ctx))) return;
    const tags = await SimTag.find().sort({ _id: 1 }).lean();
    const counts = await Promise.all(tags.map((t) => SimFollower.countDocuments({ tagIds: t._id })));
    ctx.body = { tags: tags.map((t, i) => ({ id: t._id, name: t.name, count: counts[i] })) };
  });
  // Tag membership: at most 50 openids a call, 20 tags a follower, and a per-minute call quota
  // (45011 once used up; set with /_sim/settings tagCallsPerMinute, default 600).
  const tagMembership = (op: 'tag' | 'untag') => async (ctx: Context) => {
    if (!(await authorize(ctx))) return;
    const minute = new Date().toISOString().slice(0, 16);
    const quota = (await SimCounter.findById('setting:tagCallsPerMinute').lean())?.value || 600;
    if ((await SimApiCall.countDocuments({ minute })) >= quota) return fail(ctx, 45011, 'api minute-quota reach limit');
    await SimApiCall.create({ api: `tags/${op}`, minute, at: new Date() });
    const b = body(ctx);
    const openids = Array.isArray(b.openid_list) ? b.openid_list.filter((o: unknown) => typeof o === 'string') : [];
    if (openids.length === 0) return fail(ctx, 40032, 'invalid openid_list size');
    if (openids.length > 50) return fail(ctx, 40032, 'invalid openid_list size, more than 50');
    if (typeof b.tagid !== 'number' || !(await SimTag.exists({ _id: b.tagid }))) return fail(ctx, 45059, 'tag not exist');
    const known = await SimFollower.find({ _id: { $in: openids } }, { tagIds: 1 }).lean();
    if (known.length !== new Set(openids).size) return fail(ctx, 40003, 'invalid openid');
    if (op === 'tag') {
      if (known.some((f) => f.tagIds.length >= 20 && !f.tagIds.includes(b.tagid))) {
        return fail(ctx, 45059, 'a follower has 20 tags already');
      }
      await SimFollower.updateMany({ _id: { $in: openids } }, { $addToSet: { tagIds: b.tagid } });
    } else {
      await SimFollower.updateMany({ _id: { $in: openids } }, { $pull: { tagIds: b.tagid } });
    }
    ok(ctx);
  };
  router.post('/cgi-bin/tags/members/batchtagging', tagMembership('tag'));
  router.post('/cgi-bin/tags/members/batchuntagging', tagMembership('untag'));
  router.post('/cgi-bin/tags/getidlist', async (ctx) => {
    if (!(await authorize(ctx))) return;
    const openid = str(body(ctx).openid);
    const follower = openid ? await SimFollower.findById(openid).lean() : null;
    if (!follower) return fail(ctx, 40003, 'invalid openid');
    ctx.body = { tagid_list: follower.tagIds ?? [] };
  });

  // Official account: parametric QR codes.
  router.post('/cgi-bin/qrcode/create', async (ctx) => {
    if (!(await authorize(ctx))) return;
    const b = body(ctx);
    const action = str(b.action_name);
    const scene = b.action_info?.scene ?? {};
    const permanent = action === 'QR_LIMIT_SCENE' || action === 'QR_LIMIT_STR_SCENE';
    const byString = action === 'QR_STR_SCENE' || action === 'QR_LIMIT_STR_SCENE';
    if (!action || !['QR_SCENE', 'QR_STR_SCENE', 'QR_LIMIT_SCENE', 'QR_LIMIT_STR_SCENE'].includes(action)) {
      return fail(ctx, 40097, 'invalid action_name');
    }
    if (byString && !(typeof scene.scene_str === 'string' && scene.scene_str.length >= 1 && scene.scene_str.length <= 64)) {
      return fail(ctx, 40097, 'invalid scene_str');
    }
    if (!byString && !(Number.isInteger(scene.scene_id) && scene.scene_id > 0)) return fail(ctx, 40097, 'invalid scene_id');
    const expireSeconds = permanent ? undefined : Math.min(Number(b.expire_seconds) || 60, 2_592_000);
    const ticket = randomBytes(24).toString('base64url');
    await SimQrCode.create({
      _id: ticket,
      actionName: action,
      sceneId: byString ? undefined : scene.scene_id,
      sceneStr: byString ? scene.scene_str : undefined,
      expiresAt: expireSeconds ? new Date(Date.now() + expireSeconds * 1000) : undefined,
    });
    ctx.body = {
      ticket,
      ...(expireSeconds ? { expire_seconds: expireSeconds } : {}),
      url: `http://weixin.qq.com/q/${ticket.slice(0, 22)}`,
    };
  });

  // Official account: custom menu.
  router.post('/cgi-bin/menu/create', async (ctx) => {
    const appid = await authorize(ctx);
    if (!appid) return;
    const refusal = menuRefusal(ctx.request.body);
    if (refusal) return fail(ctx, refusal.errcode, refusal.errmsg);
    const button = (ctx.request.body as { button: unknown[] }).button;
    // One upsert of the account's menu: the last create wins, as on the platform.
    await SimMenu.updateOne({ _id: appid }, { $set: { button, menuid: await nextValue('menuid'), at: new Date() } }, { upsert: true });
    ok(ctx);
  });
  router.get('/cgi-bin/menu/get', async (ctx) => {
    const appid = await authorize(ctx);
    if (!appid) return;
    const menu = await SimMenu.findById(appid).lean();
    if (!menu) return fail(ctx, 46003, 'menu no exist');
    ctx.body = { menu: { button: menu.button, menuid: menu.menuid } };
  });
  router.get('/cgi-bin/menu/delete', async (ctx) => {
    const appid = await authorize(ctx);
    if (!appid) return;
    await SimMenu.deleteOne({ _id: appid });
    ok(ctx);
  });

  // Hooks for local tools and tests.
  router.get('/_sim/custom-messages', async (ctx) => {
    const touser = str(ctx.query.touser);
    if (!touser) return fail(ctx, 40003, 'touser is required');
    const after = str(ctx.query.after);
    const since = after ? new Date(after) : undefined;
    const filter = { kind: 'custom', touser, ...(since && !Number.isNaN(since.getTime()) ? { at: { $gt: since } } : {}) };
    const messages = await SimMessage.find(filter).sort({ at: 1, _id: 1 }).limit(500).lean();
    ctx.body = { messages: messages.map((m) => ({ ...m.body, at: m.at.toISOString() })) };
  });
  router.get('/_sim/messages', async (ctx) => {
    const kind = str(ctx.query.kind) ?? 'custom';
    const touser = str(ctx.query.touser);
    const messages = await SimMessage.find({ kind, ...(touser ? { touser } : {}) })
      .sort({ at: 1, _id: 1 })
      .limit(500)
      .lean();
    ctx.body = { messages: messages.map((m) => ({ ...m.body, at: m.at.toISOString() })) };
  });
  router.post('/_sim/followers', async (ctx) => {
    const given = parseWith(seedFollowersSchema, ctx.request.body).followers;
    // The last entry for an openid wins (concurrent upserts of one _id would collide).
    const followers = [...new Map(given.map((f) => [f.openid, f])).values()];
    // One upsert per follower: plain updates, which every engine runs the same way.
    for (let i = 0; i < followers.length; i += 50) {
      await Promise.all(
        followers.slice(i, i + 50).map((f) =>
          SimFollower.updateOne(
            { _id: f.openid },
            {
              $set: {
                ...(f.unionid ? { unionid: f.unionid } : {}),
                subscribe: f.subscribe,
                subscribeTime: f.subscribeTime ? new Date(f.subscribeTime) : new Date(),
                scene: f.scene,
                qrScene: f.qrScene,
                qrSceneStr: f.qrSceneStr,
                tagIds: f.tags,
                remark: f.remark,
                ...(f.lastInteractionAt ? { lastInteractionAt: new Date(f.lastInteractionAt) } : {}),
              },
            },
            { upsert: true },
          ),
        ),
      );
    }
    ctx.status = 201;
    ctx.body = { seeded: followers.length };
  });
  router.get('/_sim/token-fetches', async (ctx) => {
    const appid = str(ctx.query.appid) ?? '';
    const [counter, calls] = await Promise.all([SimCounter.findById(`fetch:${appid}`).lean(), SimTokenCall.countDocuments({ appid })]);
    // fetches: new tokens issued; calls: every token request, including those answered with the current token.
    ctx.body = { appid, fetches: counter?.value ?? 0, calls };
  });
  router.post('/_sim/invalidate-token', async (ctx) => {
    const b = body(ctx);
    const filter = str(b.access_token) ? { _id: b.access_token } : { appid: str(b.appid) ?? '' };
    const result = await SimToken.updateMany(filter, { $set: { valid: false } });
    ctx.body = { invalidated: result.modifiedCount };
  });
  router.post('/_sim/settings', async (ctx) => {
    // The platform pages user/get by 10,000; a smaller page lets tools exercise paging. sendsPerSecond
    // limits the message APIs (0: no limit), to exercise back-off. tagCallsPerMinute: the quota of
    // tag-membership calls, so tools can exercise the 45011 back-off.
    const settings = parseWith(
      z
        .object({
          userGetPageSize: z.number().int().min(1).max(10_000).optional(),
          sendsPerSecond: z.number().int().min(0).max(100_000).optional(),
          tagCallsPerMinute: z.number().int().min(1).max(100_000).optional(),
        })
        .refine(
          (v) => v.userGetPageSize !== undefined || v.sendsPerSecond !== undefined || v.tagCallsPerMinute !== undefined,
          'give a setting',
        ),
      ctx.request.body,
    );
    for (const [name, value] of Object.entries(settings)) {
      if (value !== undefined) await SimCounter.updateOne({ _id: `setting:${name}` }, { $set: { value } }, { upsert: true });
    }
    if (settings.sendsPerSecond !== undefined) sendRate.checkedAt = 0;
    ctx.body = settings;
  });
  router.post('/_sim/faults', async (ctx) => {
    const fault = parseWith(faultSchema, ctx.request.body);
    await SimFault.updateOne(
      { _id: fault.path },
      { $set: { remaining: fault.times, errcode: fault.errcode ?? null, delayMs: fault.delayMs ?? 0 } },
      { upsert: true },
    );
    ctx.status = 201;
    ctx.body = { path: fault.path, times: fault.times };
  });

  return router;
}
