// @vitest-environment jsdom
// The staff's complaint check page in plain React DOM (H5 components), with Taro's platform calls
// stubbed: it lists the store's scored messages and sends "was / was not a complaint".
import { act, useEffect } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The H5 build follows the browser's language; this browser speaks Chinese.
vi.hoisted(() => Object.defineProperty(navigator, 'language', { value: 'zh-CN', configurable: true }));
const taro = await vi.hoisted(async () => (await import('../../../test/taroStub')).taroStub());
vi.mock('@tarojs/taro', () => ({
  default: taro,
  // The page "shows" once, when it mounts.
  useDidShow: (fn: () => void) => useEffect(() => fn(), []),
  useDidHide: () => undefined,
  usePullDownRefresh: () => undefined,
}));

import ComplaintScoresPage from './index';

const STORE = 'b'.repeat(24);
const scored = (id: string, text: string, level: 'none' | 'mild' | 'strong', label: { complaint: boolean } | null = null) => ({
  id,
  customerId: 'c'.repeat(24),
  storeId: STORE,
  ticketId: null,
  channel: 'official_account',
  text,
  level,
  probability: level === 'strong' ? 0.93 : 0.2,
  cues: level === 'strong' ? ['投诉'] : [],
  modelVersion: 'cm-0123456789ab',
  at: '2031-03-01T02:00:00.000Z',
  label: label && { ...label, by: 'd'.repeat(24), at: '2031-03-01T03:00:00.000Z' },
});
const ITEMS = [scored('1'.repeat(24), '我要投诉你们', 'strong'), scored('2'.repeat(24), '门店的店员又对我翻白眼', 'none')];

let root: Root | undefined;
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

beforeEach(() => {
  vi.stubEnv('TARO_ENV', 'h5');
  taro.storage.clear();
  taro.storage.set('loopline.session', { token: 'clerk-token', expiresAt: new Date(Date.now() + 3600_000).toISOString() });
  taro.request.mockReset();
  taro.request.mockImplementation(async ({ url, method, data }: { url: string; method: string; data?: { complaint: boolean } }) => {
    if (url === '/api/v1/me') {
      return {
        statusCode: 200,
        data: {
          customer: { id: 'd'.repeat(24), name: null, status: 'active' },
          member: null,
          roles: [{ role: 'clerk', storeId: STORE, storeName: '徐汇店' }],
        },
      };
    }
    if (url.startsWith('/api/v1/staff/complaint-scores') && method === 'GET') return { statusCode: 200, data: { items: ITEMS } };
    const labelled = /complaint-scores\/([0-9a-f]{24})\/label$/.exec(url);
    if (labelled && method === 'POST') {
      const item = ITEMS.find((i) => i.id === labelled[1])!;
      return { statusCode: 200, data: scored(item.id, item.text, item.level, { complaint: data!.complaint }) };
    }
    return { statusCode: 404, data: { error: { code: 'NOT_FOUND', message: 'Not found.' } } };
  });
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
    root!.render(<ComplaintScoresPage />);
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

async function click(element: Element): Promise<void> {
  await act(async () => {
    element.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

describe('complaint check page', () => {
  it('lists the scored messages with their level, cues and model version', async () => {
    await render();
    await vi.waitFor(() => expect(document.querySelectorAll('.complaint-item')).toHaveLength(2));
    const first = document.querySelector('.complaint-item')!;
    expect(first.className).toContain('level-strong');
    expect(first.textContent).toContain('我要投诉你们');
    expect(first.textContent).toContain('93%');
    expect(first.textContent).toContain('cm-0123456789ab');
    expect(first.textContent).toContain('投诉');
    const list = taro.request.mock.calls.map(([c]) => c).find((c) => c.url.startsWith('/api/v1/staff/complaint-scores'));
    expect(list.header.Authorization).toBe('Bearer clerk-token');
  });

  it('marks a missed message as a complaint and shows the verdict', async () => {
    await render();
    await vi.waitFor(() => expect(document.querySelectorAll('.complaint-item')).toHaveLength(2));
    const missed = document.querySelectorAll('.complaint-item')[1]!;
    await click(missed.querySelector('.mark-complaint')!);
    const post = taro.request.mock.calls.map(([c]) => c).find((c) => c.method === 'POST');
    expect(post).toMatchObject({ url: `/api/v1/staff/complaint-scores/${'2'.repeat(24)}/label`, data: { complaint: true } });
    await vi.waitFor(() =>
      expect(document.querySelectorAll('.complaint-item')[1]!.querySelector('.label-state')?.textContent).toContain('是投诉'),
    );
  });

  it('filters by level', async () => {
    await render();
    await vi.waitFor(() => expect(document.querySelectorAll('.level-filter')).toHaveLength(4));
    await click(document.querySelectorAll('.level-filter')[1]!);
    const urls = taro.request.mock.calls.map(([c]) => c.url as string);
    expect(urls).toContain(`/api/v1/staff/complaint-scores?storeId=${STORE}&level=strong`);
  });
});
