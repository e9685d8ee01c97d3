import { Types } from 'mongoose';
import {
  isMenuGroup,
  menuDraftSchema,
  menuProblems,
  toPlatformMenu,
  type MenuAction,
  type MenuDraft,
  type MenuState,
  type PassiveReply,
  type PlatformMenu,
} from '@shared/officialAccount';
import { ErrorCode } from '@shared/errors';
import { AppError, conflict, notFound } from '../platform/http/errors';
import { parseWith } from '../platform/http/middleware';
import { WechatApiError, WechatTransportError, type WechatPlatform } from '../wechat/platform';
import { KeywordRule, OaMenu, type KeywordRuleDoc, type MenuDoc } from './model';

// The official account's custom menu, edited by admins and published through the platform API.

const MENU_ID = 'menu';
export const WECHAT_REJECTED = 'WECHAT_REJECTED';

function stateOf(doc: MenuDoc | null): MenuState {
  const draft = (doc?.draft as MenuDraft | null) ?? null;
  const last = doc?.lastPublish;
  return {
    draft,
    problems: draft ? menuProblems(draft) : [],
    published: doc?.published && doc.publishedAt ? { menu: doc.published as MenuDraft, at: doc.publishedAt.toISOString() } : null,
    lastPublish: last?.at
      ? {
          ok: Boolean(last.ok),
          at: last.at.toISOString(),
          ...(last.errcode !== undefined && last.errcode !== null ? { errcode: last.errcode } : {}),
          ...(last.errmsg ? { errmsg: last.errmsg } : {}),
        }
      : null,
    updatedAt: doc?.updatedAt?.toISOString() ?? null,
  };
}

const actions = (draft: MenuDraft): MenuAction[] => draft.entries.flatMap((e) => (isMenuGroup(e) ? e.sub : [e]));

export async function getMenuState(): Promise<MenuState> {
  return stateOf(await OaMenu.findById(MENU_ID).lean<MenuDoc>());
}

/** Saves the draft; CLICK entries may name a keyword rule, which must exist. */
export async function saveMenuDraft(input: unknown, by: Types.ObjectId): Promise<MenuState> {
  const draft = parseWith(menuDraftSchema, input);
  const ruleIds = [...new Set(actions(draft).flatMap((a) => (a.type === 'click' && a.keywordRuleId ? [a.keywordRuleId] : [])))];
  const found = ruleIds.length ? await KeywordRule.find({ _id: { $in: ruleIds } }, { _id: 1 }).lean() : [];
  const missing = ruleIds.filter((id) => !found.some((r) => r._id.toString() === id));
  if (missing.length) throw notFound(`No such keyword rule: ${missing.join(', ')}.`);
  const doc = await OaMenu.findOneAndUpdate(
    { _id: MENU_ID },
    { $set: { draft, updatedAt: new Date(), updatedBy: by } },
    { upsert: true, new: true },
  ).lean<MenuDoc>();
  return stateOf(doc);
}

/**
 * Publishes the draft through menu/create. The platform judges the menu: when it refuses, the
 * refusal is recorded and answered as 422 WECHAT_REJECTED with its errcode and message.
 */
export async function publishMenu(wechat: WechatPlatform, by: Types.ObjectId): Promise<MenuState> {
  const current = await OaMenu.findById(MENU_ID).lean<MenuDoc>();
  const draft = current?.draft as MenuDraft | null | undefined;
  if (!draft) throw conflict(ErrorCode.CONFLICT, 'Save a menu before publishing it.');
  const at = new Date();
  try {
    await wechat.officialAccount.createMenu(toPlatformMenu(draft));
  } catch (err) {
    if (err instanceof WechatApiError) {
      await OaMenu.updateOne({ _id: MENU_ID }, { $set: { lastPublish: { ok: false, errcode: err.errcode, errmsg: err.errmsg, at, by } } });
      throw new AppError(422, WECHAT_REJECTED, `公众号平台拒绝了菜单：${err.errmsg}（errcode ${err.errcode}）`);
    }
    if (err instanceof WechatTransportError) throw new AppError(503, ErrorCode.SERVICE_UNAVAILABLE, '暂时连不上公众号平台，请稍后再试。');
    throw err;
  }
  const doc = await OaMenu.findOneAndUpdate(
    { _id: MENU_ID },
    { $set: { published: draft, publishedAt: at, lastPublish: { ok: true, at, by } } },
    { new: true },
  ).lean<MenuDoc>();
  clickCache = undefined;
  return stateOf(doc);
}

/** What the platform serves now (menu/get), or null. */
export async function liveMenu(wechat: WechatPlatform): Promise<PlatformMenu | null> {
  return wechat.officialAccount.getMenu();
}

/** Removes the menu from the account (menu/delete); the draft stays for editing. */
export async function deleteLiveMenu(wechat: WechatPlatform): Promise<void> {
  await wechat.officialAccount.deleteMenu();
  await OaMenu.updateOne({ _id: MENU_ID }, { $set: { published: null }, $unset: { publishedAt: 1 } });
  clickCache = undefined;
}

// CLICK key → keyword rule id of the published menu, read at most once a second per instance.
const CLICK_CACHE_MS = 1_000;
let clickCache: { at: number; bindings: Promise<Map<string, string>> } | undefined;

async function clickBindings(): Promise<Map<string, string>> {
  if (!clickCache || Date.now() - clickCache.at > CLICK_CACHE_MS) {
    const bindings = OaMenu.findById(MENU_ID, { published: 1 })
      .lean<Pick<MenuDoc, 'published'>>()
      .then((doc) => {
        const published = doc?.published as MenuDraft | null | undefined;
        const map = new Map<string, string>();
        for (const a of published ? actions(published) : []) if (a.type === 'click' && a.keywordRuleId) map.set(a.key, a.keywordRuleId);
        return map;
      });
    clickCache = { at: Date.now(), bindings };
    bindings.catch(() => (clickCache = undefined));
  }
  return clickCache.bindings;
}

/** The reply of the keyword rule a published CLICK key is bound to, if it is bound and the rule is enabled. */
export async function boundClickReply(key: string): Promise<PassiveReply | undefined> {
  const ruleId = (await clickBindings()).get(key);
  if (!ruleId || !Types.ObjectId.isValid(ruleId)) return undefined;
  const rule = await KeywordRule.findById(ruleId).lean<KeywordRuleDoc>();
  return rule?.enabled ? (rule.reply as PassiveReply) : undefined;
}
