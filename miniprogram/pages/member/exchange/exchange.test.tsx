// @vitest-environment jsdom
// The points-exchange page in plain React DOM (H5 components), with Taro's platform calls stubbed:
// it shows the balance and offers, asks before spending, sends one idempotency key per confirmation
// (kept for a retry after a network failure), and shows the server's refusal.
import { act, useEffect } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The H5 build follows the browser's language; this browser speaks Chinese.
vi.hoisted(() => Object.defineProperty(navigator, 'language', { value: 'zh-CN', configurable: true }));
const taro = vi.hoisted(() => ({
  request: vi.fn(),
  showModal: vi.fn(async () => ({ confirm: true })),
  showToast: vi.fn(),
  setNavigationBarTitle: vi.fn(async () => undefined),
  reLaunch: vi.fn(async () => undefined),
  navigateTo: vi.fn(async () => undefined),
  getStorageSync: () => ({ token: 'session-token', expiresAt: new Date(Date.now() + 3600_000).toISOString() }),
  setStorageSync: () => undefined,
  removeStorageSync: () => undefined,
}));
vi.mock('@tarojs/taro', () => ({
  default: taro,
  useDidShow: (callback: () => void) => useEffect(() => callback(), []),
  useDidHide: () => undefined,
  usePullDownRefresh: () => undefined,
}));
import { translate } from '@shared/i18n';

import PointsExchangePage from './index';

const offer = {
  id: 'c'.repeat(24),
  name: '积分换 10 元券',
  type: 'cash',
  valueFen: 1000,
  stock: 10,
  issued: 0,
  remaining: 10,
  perUserLimit: 5,
  validity: { kind: 'days', days: 30 },
  storeIds: [],
  channels: ['points'],
  status: 'active',
  tiers: [],
  pointsPrice: 200,
  affordable: true,
};
const offers = (balance: number) => ({ statusCode: 200, data: { balance, tier: { id: 'regular', name: '普通' }, items: [offer] } });
const ME = {
  statusCode: 200,
  data: {
    customer: { id: 'd'.repeat(24), name: null, status: 'active' },
    // The page leaves membership to the server (NOT_A_MEMBER); only the session matters here.
    member: null,
    roles: [],
  },
};
/** The signed-in member for /me; the page's own requests answer in the order a test queues them. */
const answers: Array<() => Promise<unknown>> = [];
const answer = (response: unknown) => answers.push(async () => response);
const fail = (error: Error) => answers.push(async () => Promise.reject(error));

let root: Root | undefined;
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

beforeEach(() => {
  vi.stubEnv('TARO_ENV', 'h5');
  taro.request.mockReset();
  answers.length = 0;
  taro.request.mockImplementation(async ({ url }: { url: string }) => (url === '/api/v1/me' ? ME : answers.shift()!()));
  taro.showModal.mockClear();
});
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
  vi.unstubAllEnvs();
});

async function render(): Promise<void> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  await act(async () => {
    root!.render(<PointsExchangePage />);
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

async function tapExchange(): Promise<void> {
  await act(async () => {
    document.querySelector<HTMLElement>('.exchange-button')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await new Promise((resolve) => setTimeout(resolve, 30));
  });
}

const exchangeCalls = () => taro.request.mock.calls.map((c) => c[0]).filter((c) => c.method === 'POST');

describe('points-exchange page', () => {
  it('shows the balance, confirms, exchanges once per key and shows the new balance', async () => {
    answer(offers(500));
    await render();
    expect(document.querySelector('.exchange-balance-value')?.textContent).toBe('500');
    expect(document.querySelector('.exchange-item')?.textContent).toContain('200 积分');

    // A network failure keeps the key: the retry is the same exchange.
    fail(new Error('offline'));
    await tapExchange();
    expect(document.querySelector('.exchange-error')?.textContent).toContain('网络');
    answer({ statusCode: 201, data: { exchange: { id: 'x', state: 'issued' }, coupon: { id: 'k'.repeat(24) }, balance: 300 } });
    answer(offers(300));
    await tapExchange();
    expect(taro.showModal).toHaveBeenCalledTimes(2);
    const [first, second] = exchangeCalls();
    expect(first.url).toBe(`/api/v1/points-exchange/${offer.id}`);
    expect(second.header['Idempotency-Key']).toBe(first.header['Idempotency-Key']);
    expect(document.querySelector('.exchange-balance-value')?.textContent).toBe('300');
    expect(document.querySelector('.exchanged-link')).not.toBeNull();
  });

  it("shows the server's refusal and sends nothing when the member cancels", async () => {
    answer(offers(500));
    await render();
    taro.showModal.mockResolvedValueOnce({ confirm: false });
    await tapExchange();
    expect(exchangeCalls()).toHaveLength(0);
    answer({ statusCode: 409, data: { error: { code: 'OUT_OF_STOCK', message: 'Out of stock.' } } });
    await tapExchange();
    // The refusal in the customer's words, not the server's English.
    expect(document.querySelector('.exchange-error')?.textContent).toBe(translate('zh', 'error.OUT_OF_STOCK'));
  });
});
