// The WeChat platform as the rest of the server sees it. The implementation (server/src/wechat/client)
// talks HTTP to api.weixin.qq.com, or to the built-in simulator when no app secret is configured.
// Modules receive it through AppDeps.wechat and never call the platform's HTTP API themselves.
import type { PlatformMenu } from '@shared/officialAccount';

export interface MiniProgramSession {
  openid: string;
  unionid?: string | undefined;
  /** Never leaves the server: not in responses, not in logs. */
  sessionKey: string;
}

export interface PhoneNumber {
  phoneNumber: string;
  purePhoneNumber: string;
  countryCode: string;
}

export interface OfficialAccountUser {
  subscribed: boolean;
  openid: string;
  unionid?: string | undefined;
  subscribeTime?: Date | undefined;
  subscribeScene?: string | undefined;
  qrScene?: number | undefined;
  qrSceneStr?: string | undefined;
  tagIds: number[];
  remark?: string | undefined;
}

export type CustomMessage =
  | { touser: string; msgtype: 'text'; text: { content: string } }
  | { touser: string; msgtype: 'image'; image: { media_id: string } }
  | {
      touser: string;
      msgtype: 'news';
      news: { articles: Array<{ title: string; description?: string; url?: string; picurl?: string }> };
    }
  | {
      touser: string;
      msgtype: 'miniprogrampage';
      miniprogrampage: { title: string; appid: string; pagepath: string; thumb_media_id?: string };
    };

export interface TemplateMessage {
  touser: string;
  template_id: string;
  url?: string;
  miniprogram?: { appid: string; pagepath: string };
  data: Record<string, { value: string }>;
}

export interface SubscribeMessage {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: 'developer' | 'trial' | 'formal';
}

/** A platform error with the platform's errcode (e.g. 40029 invalid code, 45015 outside window). */
export class WechatApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly endpoint: string,
  ) {
    super(`WeChat ${endpoint} failed: ${errcode} ${errmsg}`);
    this.name = 'WechatApiError';
  }
}

/** The platform could not be reached or did not answer in time (nothing is known about the effect). */
export class WechatTransportError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
    readonly timedOut: boolean,
  ) {
    super(`WeChat ${endpoint} unreachable: ${reason}`);
    this.name = 'WechatTransportError';
  }
}

/** Errcodes that mean a call quota is used up: wait before calling again (daily, per minute). */
export const QUOTA_ERRCODES: readonly number[] = [45009, 45011];
/** Official-account tag limits: tags per account, tags per follower, openids per batch call. */
export const OA_TAG_LIMITS = { tags: 100, perFollower: 20, batch: 50 } as const;

/** Errcodes that mean the access token used is no longer good. */
export const ACCESS_TOKEN_ERRCODES: readonly number[] = [40001, 40014, 42001];

export interface FollowerPage {
  /** Followers in all. */
  total: number;
  openids: string[];
  /** Pass back to get the next page; empty when this was the last one. */
  nextOpenid: string;
}

export interface OfficialAccountTag {
  id: number;
  name: string;
  count: number;
}

export interface WechatPlatform {
  miniProgram: {
    code2Session(code: string): Promise<MiniProgramSession>;
    getPhoneNumber(code: string): Promise<PhoneNumber>;
    sendSubscribeMessage(message: SubscribeMessage): Promise<void>;
  };
  officialAccount: {
    sendCustomMessage(message: CustomMessage): Promise<void>;
    sendTemplateMessage(message: TemplateMessage): Promise<{ msgid: string }>;
    getUser(openid: string): Promise<OfficialAccountUser>;
    /** At most 100 openids per call. */
    getUsers(openids: string[]): Promise<OfficialAccountUser[]>;
    createQrCode(scene: { sceneStr: string; expireSeconds?: number }): Promise<{ ticket: string; url: string }>;
    /** One page of up to 10,000 follower openids, starting after nextOpenid. */
    getFollowers(nextOpenid?: string): Promise<FollowerPage>;
    createTag(name: string): Promise<{ id: number; name: string }>;
    getTags(): Promise<OfficialAccountTag[]>;
    /** At most 50 openids per call. */
    tagFollowers(tagId: number, openids: string[]): Promise<void>;
    /** tags/members/batchuntagging: at most 50 openids per call. */
    untagFollowers(tagId: number, openids: string[]): Promise<void>;
    getFollowerTagIds(openid: string): Promise<number[]>;
    /** menu/create: replaces the custom menu (errcodes 40016–40027 etc. for what the platform refuses). */
    createMenu(menu: PlatformMenu): Promise<void>;
    /** menu/get: the custom menu the account serves, or null when it has none (46003). */
    getMenu(): Promise<PlatformMenu | null>;
    /** menu/delete: removes the custom menu. */
    deleteMenu(): Promise<void>;
  };
}
