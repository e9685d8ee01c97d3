import { describe, expect, it } from 'vitest';
import { menuDraftSchema, menuProblems, toPlatformMenu, utf8Bytes } from './officialAccount';

describe('custom menu rules', () => {
  it('counts names in UTF-8 bytes like the platform and names the errcode it will answer', () => {
    expect(utf8Bytes('会员中心')).toBe(12);
    const draft = menuDraftSchema.parse({
      entries: [
        { type: 'click', name: '会员中心好的', key: 'MEMBER_CENTER' },
        { name: '服务', sub: [{ type: 'view', name: '一二三四五六七八九十一二三四五六七八九十一', url: 'https://example.com/' }] },
      ],
    });
    expect(menuProblems(draft)).toEqual([
      { path: 'entries.0.name', errcode: 40018, message: expect.any(String) },
      { path: 'entries.1.sub.0.name', errcode: 40025, message: expect.any(String) },
    ]);
  });

  it('refuses shapes the editor cannot make: 4 top-level entries, 6 sub-entries, unknown types', () => {
    const click = { type: 'click', name: 'a', key: 'A' };
    expect(menuDraftSchema.safeParse({ entries: [click, click, click, click] }).success).toBe(false);
    expect(menuDraftSchema.safeParse({ entries: [{ name: 'g', sub: Array(6).fill(click) }] }).success).toBe(false);
    expect(menuDraftSchema.safeParse({ entries: [{ type: 'scancode_push', name: 'a', key: 'A' }] }).success).toBe(false);
  });

  it('maps to the platform JSON without our bindings', () => {
    const draft = menuDraftSchema.parse({
      entries: [
        { type: 'click', name: '会员', key: 'MEMBER', keywordRuleId: 'a'.repeat(24) },
        {
          name: '更多',
          sub: [{ type: 'miniprogram', name: '小程序', appid: 'wxapp', pagepath: 'pages/member/home/index', url: 'https://example.com/' }],
        },
      ],
    });
    expect(toPlatformMenu(draft)).toEqual({
      button: [
        { type: 'click', name: '会员', key: 'MEMBER' },
        {
          name: '更多',
          sub_button: [
            { type: 'miniprogram', name: '小程序', appid: 'wxapp', pagepath: 'pages/member/home/index', url: 'https://example.com/' },
          ],
        },
      ],
    });
  });
});
