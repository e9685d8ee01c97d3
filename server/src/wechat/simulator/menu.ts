// The platform's custom-menu rules, as menu/create applies them: the first broken rule answers its
// errcode. Numbers and messages are the platform's (see the platform's return-code list).

const TOP_TYPES_WITH_KEY = [
  'click',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
];
const TYPES = [...TOP_TYPES_WITH_KEY, 'view', 'miniprogram', 'media_id', 'article_id', 'article_view_limited'];

const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
const httpUrl = (v: unknown) => typeof v === 'string' && /^https?:\/\/[^\s/]+/i.test(v);

export interface MenuRefusal {
  errcode: number;
  errmsg: string;
}

function checkAction(b: Record<string, unknown>, sub: boolean): MenuRefusal | undefined {
  const type = b.type;
  if (typeof type !== 'string' || !TYPES.includes(type))
    return sub ? { errcode: 40024, errmsg: 'invalid sub button type' } : { errcode: 40017, errmsg: 'invalid button type' };
  const nameBytes = bytes(b.name);
  if (nameBytes < 1 || nameBytes > (sub ? 60 : 16))
    return sub ? { errcode: 40025, errmsg: 'invalid sub button name size' } : { errcode: 40018, errmsg: 'invalid button name size' };
  if (TOP_TYPES_WITH_KEY.includes(type) && (bytes(b.key) < 1 || bytes(b.key) > 128)) {
    return sub ? { errcode: 40026, errmsg: 'invalid sub button key size' } : { errcode: 40019, errmsg: 'invalid button key size' };
  }
  if (type === 'view' || type === 'miniprogram') {
    if (bytes(b.url) < 1 || bytes(b.url) > 1024)
      return sub ? { errcode: 40027, errmsg: 'invalid sub button url size' } : { errcode: 40020, errmsg: 'invalid button url size' };
    if (!httpUrl(b.url))
      return sub ? { errcode: 40054, errmsg: 'invalid sub button url domain' } : { errcode: 40055, errmsg: 'invalid button url domain' };
  }
  if (type === 'miniprogram') {
    if (bytes(b.appid) < 1) return { errcode: 40013, errmsg: 'invalid appid' };
    if (bytes(b.pagepath) < 1) return { errcode: 40165, errmsg: 'invalid weapp pagepath' };
  }
  return undefined;
}

/** Why the platform refuses this menu/create body, or undefined when it takes it. */
export function menuRefusal(body: unknown): MenuRefusal | undefined {
  const buttons = (body as { button?: unknown } | null)?.button;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return { errcode: 40016, errmsg: 'invalid button size' };
  for (const raw of buttons) {
    const b = (raw ?? {}) as Record<string, unknown>;
    if (Array.isArray(b.sub_button) && b.sub_button.length > 0) {
      const nameBytes = bytes(b.name);
      if (nameBytes < 1 || nameBytes > 16) return { errcode: 40018, errmsg: 'invalid button name size' };
      if (b.sub_button.length > 5) return { errcode: 40023, errmsg: 'invalid sub button size' };
      for (const sub of b.sub_button) {
        const refusal = checkAction((sub ?? {}) as Record<string, unknown>, true);
        if (refusal) return refusal;
      }
    } else {
      const refusal = checkAction(b, false);
      if (refusal) return refusal;
    }
  }
  return undefined;
}
