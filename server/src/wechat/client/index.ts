import type { PlatformMenu } from '@shared/officialAccount';
import type { Config } from '../../platform/config';
import {
  ACCESS_TOKEN_ERRCODES,
  OA_TAG_LIMITS,
  WechatApiError,
  type CustomMessage,
  type FollowerPage,
  type OfficialAccountTag,
  type OfficialAccountUser,
  type SubscribeMessage,
  type TemplateMessage,
  type WechatPlatform,
} from '../platform';
import { SharedAccessToken } from './accessToken';
import { callPlatform, type PlatformCall, type TransportSettings } from './http';

export const WECHAT_DEFAULT_API_BASE = 'https://api.weixin.qq.com';
/** Where the built-in simulator is mounted in our own server. */
export const SIMULATOR_PREFIX = '/__wechat';

export interface AppCredentials {
  appId: string;
  /** Absent when talking to the simulator, which accepts any secret. */
  appSecret: string | undefined;
}

export interface WechatClientOptions {
  baseUrl: () => string;
  officialAccount: AppCredentials;
  miniProgram: AppCredentials;
  timeoutMs?: number;
  busyRetries?: number;
  busyBackoffMs?: number;
  /** `stable` (POST /cgi-bin/stable_token, the default) or `classic` (GET /cgi-bin/token). */
  tokenEndpoint?: 'stable' | 'classic';
  tokenLeaseMs?: number;
}

const SIMULATOR_SECRET = 'simulator';

/** The platform client for this server's configuration; `selfUrl` is our own URL once listening. */
export function createWechatPlatformFromConfig(config: Config, selfUrl: () => string | undefined): WechatPlatform {
  return createWechatPlatform({
    baseUrl: () => {
      if (config.wechatApiBase) return config.wechatApiBase;
      if (!config.useWechatSimulator) return WECHAT_DEFAULT_API_BASE;
      const url = selfUrl();
      if (!url) throw new Error('the WeChat simulator is not reachable before the server listens');
      return url + SIMULATOR_PREFIX;
    },
    officialAccount: config.officialAccount,
    miniProgram: config.miniProgram,
  });
}

export function createWechatPlatform(options: WechatClientOptions): WechatPlatform {
  const transport: TransportSettings = {
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs ?? 10_000,
    busyRetries: options.busyRetries ?? 3,
    busyBackoffMs: options.busyBackoffMs ?? 200,
  };
  const call = <T>(c: PlatformCall) => callPlatform<T>(transport, c);

  const tokenFor = (app: AppCredentials) =>
    new SharedAccessToken({
      appId: app.appId,
      leaseMs: options.tokenLeaseMs ?? Math.max(transport.timeoutMs * (transport.busyRetries + 1) + 5_000, 15_000),
      fetch: async (forceRefresh) => {
        const secret = app.appSecret ?? SIMULATOR_SECRET;
        const answer =
          options.tokenEndpoint === 'classic'
            ? await call<{ access_token: string; expires_in: number }>({
                method: 'GET',
                path: '/cgi-bin/token',
                query: { grant_type: 'client_credential', appid: app.appId, secret },
                endpoint: 'token',
              })
            : await call<{ access_token: string; expires_in: number }>({
                method: 'POST',
                path: '/cgi-bin/stable_token',
                body: { grant_type: 'client_credential', appid: app.appId, secret, force_refresh: forceRefresh },
                endpoint: 'stable_token',
              });
        return { token: answer.access_token, expiresInSeconds: answer.expires_in };
      },
    });
  const oaToken = tokenFor(options.officialAccount);
  const mpToken = tokenFor(options.miniProgram);

  /** A call with the app's token; a refused token is expired (if still stored), refetched once, retried once. */
  const withToken = async <T>(source: SharedAccessToken, c: PlatformCall): Promise<T> => {
    const token = await source.get();
    try {
      return await call<T>({ ...c, query: { ...c.query, access_token: token } });
    } catch (err) {
      if (!(err instanceof WechatApiError) || !ACCESS_TOKEN_ERRCODES.includes(err.errcode)) throw err;
      await source.expire(token);
      const fresh = await source.get();
      return call<T>({ ...c, query: { ...c.query, access_token: fresh } });
    }
  };
  const oa = <T>(c: PlatformCall) => withToken<T>(oaToken, c);
  const mp = <T>(c: PlatformCall) => withToken<T>(mpToken, c);

  return {
    miniProgram: {
      async code2Session(code) {
        const answer = await call<{ openid: string; session_key: string; unionid?: string }>({
          method: 'GET',
          path: '/sns/jscode2session',
          query: {
            appid: options.miniProgram.appId,
            secret: options.miniProgram.appSecret ?? SIMULATOR_SECRET,
            js_code: code,
            grant_type: 'authorization_code',
          },
          endpoint: 'jscode2session',
        });
        return { openid: answer.openid, unionid: answer.unionid || undefined, sessionKey: answer.session_key };
      },
      async getPhoneNumber(code) {
        const answer = await mp<{
          phone_info: { phoneNumber: string; purePhoneNumber: string; countryCode: string };
        }>({ method: 'POST', path: '/wxa/business/getuserphonenumber', body: { code }, endpoint: 'getuserphonenumber' });
        const { phoneNumber, purePhoneNumber, countryCode } = answer.phone_info;
        return { phoneNumber, purePhoneNumber, countryCode: String(countryCode) };
      },
      async sendSubscribeMessage(message: SubscribeMessage) {
        await mp({ method: 'POST', path: '/cgi-bin/message/subscribe/send', body: message, endpoint: 'subscribe/send' });
      },
    },
    officialAccount: {
      async sendCustomMessage(message: CustomMessage) {
        await oa({ method: 'POST', path: '/cgi-bin/message/custom/send', body: message, endpoint: 'custom/send' });
      },
      async sendTemplateMessage(message: TemplateMessage) {
        const answer = await oa<{ msgid: number | string }>({
          method: 'POST',
          path: '/cgi-bin/message/template/send',
          body: message,
          endpoint: 'template/send',
        });
        return { msgid: String(answer.msgid) };
      },
      async getUser(openid) {
        const answer = await oa<RawUser>({
          method: 'GET',
          path: '/cgi-bin/user/info',
          query: { openid, lang: 'zh_CN' },
          endpoint: 'user/info',
        });
        return toUser(answer, openid);
      },
      async getUsers(openids) {
        if (openids.length > 100) throw new RangeError('user/info/batchget takes at most 100 openids');
        if (openids.length === 0) return [];
        const answer = await oa<{ user_info_list: RawUser[] }>({
          method: 'POST',
          path: '/cgi-bin/user/info/batchget',
          body: { user_list: openids.map((openid) => ({ openid, lang: 'zh_CN' })) },
          endpoint: 'user/info/batchget',
        });
        return answer.user_info_list.map((raw) => toUser(raw, raw.openid ?? ''));
      },
      async createQrCode({ sceneStr, expireSeconds }) {
        const body =
          expireSeconds === undefined
            ? { action_name: 'QR_LIMIT_STR_SCENE', action_info: { scene: { scene_str: sceneStr } } }
            : {
                expire_seconds: expireSeconds,
                action_name: 'QR_STR_SCENE',
                action_info: { scene: { scene_str: sceneStr } },
              };
        const answer = await oa<{ ticket: string; url: string }>({
          method: 'POST',
          path: '/cgi-bin/qrcode/create',
          body,
          endpoint: 'qrcode/create',
        });
        return { ticket: answer.ticket, url: answer.url };
      },
      async getFollowers(nextOpenid): Promise<FollowerPage> {
        const answer = await oa<{ total: number; count: number; data?: { openid: string[] }; next_openid: string }>({
          method: 'GET',
          path: '/cgi-bin/user/get',
          query: { next_openid: nextOpenid || undefined },
          endpoint: 'user/get',
        });
        return { total: answer.total, openids: answer.data?.openid ?? [], nextOpenid: answer.next_openid ?? '' };
      },
      async createTag(name) {
        const answer = await oa<{ tag: { id: number; name: string } }>({
          method: 'POST',
          path: '/cgi-bin/tags/create',
          body: { tag: { name } },
          endpoint: 'tags/create',
        });
        return { id: answer.tag.id, name: answer.tag.name };
      },
      async getTags(): Promise<OfficialAccountTag[]> {
        const answer = await oa<{ tags: OfficialAccountTag[] }>({ method: 'GET', path: '/cgi-bin/tags/get', endpoint: 'tags/get' });
        return answer.tags.map((t) => ({ id: t.id, name: t.name, count: t.count }));
      },
      async tagFollowers(tagId, openids) {
        if (openids.length > 50) throw new RangeError('tags/members/batchtagging takes at most 50 openids');
        await oa({
          method: 'POST',
          path: '/cgi-bin/tags/members/batchtagging',
          body: { openid_list: openids, tagid: tagId },
          endpoint: 'tags/members/batchtagging',
        });
      },
      async untagFollowers(tagId, openids) {
        if (openids.length > OA_TAG_LIMITS.batch) throw new RangeError('tags/members/batchuntagging takes at most 50 openids');
        await oa({
          method: 'POST',
          path: '/cgi-bin/tags/members/batchuntagging',
          body: { openid_list: openids, tagid: tagId },
          endpoint: 'tags/members/batchuntagging',
        });
      },
      async getFollowerTagIds(openid) {
        const answer = await oa<{ tagid_list: number[] }>({
          method: 'POST',
          path: '/cgi-bin/tags/getidlist',
          body: { openid },
          endpoint: 'tags/getidlist',
        });
        return answer.tagid_list;
      },
      async createMenu(menu) {
        await oa({ method: 'POST', path: '/cgi-bin/menu/create', body: menu, endpoint: 'menu/create' });
      },
      async getMenu() {
        try {
          const answer = await oa<{ menu: { button: PlatformMenu['button'] } }>({
            method: 'GET',
            path: '/cgi-bin/menu/get',
            endpoint: 'menu/get',
          });
          return { button: answer.menu.button };
        } catch (err) {
          if (err instanceof WechatApiError && err.errcode === MENU_NOT_FOUND) return null;
          throw err;
        }
      },
      async deleteMenu() {
        await oa({ method: 'GET', path: '/cgi-bin/menu/delete', endpoint: 'menu/delete' });
      },
    },
  };
}

/** menu/get's answer when the account has no custom menu. */
const MENU_NOT_FOUND = 46003;

interface RawUser {
  subscribe: number;
  openid?: string;
  unionid?: string;
  subscribe_time?: number;
  subscribe_scene?: string;
  qr_scene?: number;
  qr_scene_str?: string;
  tagid_list?: number[];
  remark?: string;
}

function toUser(raw: RawUser, openid: string): OfficialAccountUser {
  return {
    subscribed: raw.subscribe === 1,
    openid: raw.openid ?? openid,
    unionid: raw.unionid || undefined,
    subscribeTime: raw.subscribe_time ? new Date(raw.subscribe_time * 1000) : undefined,
    subscribeScene: raw.subscribe_scene || undefined,
    qrScene: raw.qr_scene || undefined,
    qrSceneStr: raw.qr_scene_str || undefined,
    tagIds: raw.tagid_list ?? [],
    remark: raw.remark || undefined,
  };
}
