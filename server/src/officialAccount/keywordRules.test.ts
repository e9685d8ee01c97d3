import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unsafeRegexReason } from '@shared/officialAccount';
import { testDatabaseUri } from '../../test/helpers';
import { DomainError } from '../platform/errors';
import { HTTP_STATUS } from '../platform/http/errors';
import {
  createKeywordRule,
  deleteKeywordRule,
  listKeywordRules,
  matchKeywordRule,
  seedDefaultKeywordRules,
  updateKeywordRule,
} from './keywordRules';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await mongoose.connection.syncIndexes();
});
afterAll(() => mongoose.disconnect());

const statusOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? HTTP_STATUS[err.code] : err;
  }
};

describe('keyword rules', () => {
  it('seeds the defaults once, even when several instances start together', async () => {
    await Promise.all(Array.from({ length: 5 }, () => seedDefaultKeywordRules()));
    const rules = await listKeywordRules();
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(['帮助菜单', '人工客服']));
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
    expect((await matchKeywordRule('  HELP '))?.name).toBe('帮助菜单');
    expect((await matchKeywordRule('请转人工'))?.reply).toEqual({ type: 'transfer_customer_service' });
    // Deleted defaults stay deleted.
    const help = rules.find((r) => r.name === '帮助菜单')!;
    await deleteKeywordRule(help.id);
    await seedDefaultKeywordRules();
    expect((await listKeywordRules()).some((r) => r.name === '帮助菜单')).toBe(false);
  });

  it('matches exact, contains and regex by priority, skipping disabled rules', async () => {
    const low = await createKeywordRule({
      name: 'promo-contains',
      match: 'contains',
      pattern: 'PROMO',
      priority: 1,
      reply: { type: 'text', content: 'contains' },
    });
    await createKeywordRule({
      name: 'promo-exact',
      match: 'exact',
      pattern: 'promo',
      priority: 5,
      reply: { type: 'text', content: 'exact' },
    });
    await createKeywordRule({
      name: 'order-regex',
      match: 'regex',
      pattern: '^order\\s+\\d{6}$',
      priority: 3,
      reply: { type: 'news', articles: [{ title: 'Your order', url: 'https://shop.example/o' }] },
    });
    expect((await matchKeywordRule('Promo'))?.name).toBe('promo-exact');
    expect((await matchKeywordRule('any promo today'))?.name).toBe('promo-contains');
    expect((await matchKeywordRule('order 123456'))?.reply).toMatchObject({ type: 'news' });
    expect(await matchKeywordRule('order 12345')).toBeUndefined();
    await updateKeywordRule(low.id, { enabled: false });
    expect(await matchKeywordRule('any promo today')).toBeUndefined();
    await updateKeywordRule(low.id, { enabled: true, priority: 10 });
    expect((await matchKeywordRule('promo'))?.name).toBe('promo-contains');
  });

  it('refuses bad input: unsafe or invalid regexes, bad replies, duplicate names, unknown ids', async () => {
    const base = { name: 'r', match: 'regex', priority: 0, reply: { type: 'text', content: 'x' } };
    expect(await statusOf(createKeywordRule({ ...base, pattern: '(a+)+$' }))).toBe(400);
    expect(await statusOf(createKeywordRule({ ...base, pattern: '(a|aa)*b' }))).toBe(400);
    expect(await statusOf(createKeywordRule({ ...base, pattern: '([a-z' }))).toBe(400);
    expect(await statusOf(createKeywordRule({ ...base, pattern: '(x)\\1' }))).toBe(400);
    expect(await statusOf(createKeywordRule({ ...base, pattern: 'a'.repeat(101) }))).toBe(400);
    expect(await statusOf(createKeywordRule({ ...base, pattern: 'ok', reply: { type: 'news', articles: [] } }))).toBe(400);
    expect(
      await statusOf(createKeywordRule({ ...base, pattern: 'ok', reply: { type: 'news', articles: Array(9).fill({ title: 't' }) } })),
    ).toBe(400);
    expect(await statusOf(createKeywordRule({ ...base, pattern: 'ok', reply: { type: 'sticker' } }))).toBe(400);
    const rule = await createKeywordRule({ ...base, name: 'dup', match: 'contains', pattern: '(a+)+' });
    expect(await statusOf(createKeywordRule({ ...base, name: 'dup', match: 'exact', pattern: 'y' }))).toBe(409);
    // Switching a contains rule with a dangerous text to regex is refused too.
    expect(await statusOf(updateKeywordRule(rule.id, { match: 'regex' }))).toBe(400);
    expect(await statusOf(updateKeywordRule('000000000000000000000000', { enabled: false }))).toBe(404);
    expect(await statusOf(deleteKeywordRule('nope'))).toBe(404);
    expect(await statusOf(createKeywordRule({ ...base, pattern: '.*.*.*.*x' }))).toBe(400);
    expect(unsafeRegexReason('^(帮助|help)$')).toBeUndefined();
    expect(unsafeRegexReason('^order\\s+\\d+ [*+]+$')).toBeUndefined();
  });
});
