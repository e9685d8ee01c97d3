// @vitest-environment jsdom
// The sign-in page in plain React DOM (H5 components), with Taro's platform calls stubbed: the
// demo picker sends `test:<openid>`, keeps the session, and shows the dictionary's words for a failure.
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The H5 build follows the browser's language; this browser speaks Chinese.
vi.hoisted(() => Object.defineProperty(navigator, 'language', { value: 'zh-CN', configurable: true }));

const taro = await vi.hoisted(async () => (await import('../../../test/taroStub')).taroStub());
vi.mock('@tarojs/taro', () => ({ default: taro, useDidShow: () => undefined, useDidHide: () => undefined }));
import { translate } from '@shared/i18n';

import SignInPage from './index';

beforeEach(() => {
  vi.stubEnv('TARO_ENV', 'h5');
  taro.storage.clear();
  taro.request.mockReset();
  taro.reLaunch.mockClear();
});
let root: Root | undefined;
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function render(element: React.ReactElement): void {
  const container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
  act(() => root!.render(element));
}

/** Clicks and lets the page's async handler (request, storage, navigation) run to its end. */
async function click(element: HTMLElement): Promise<void> {
  await act(async () => {
    element.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
}

afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
  vi.unstubAllEnvs();
});

function demoLoginButton(who: string): HTMLElement {
  const button = document.querySelector<HTMLElement>(`.demo-login-${who}`);
  if (!button) throw new Error(`no demo login button for ${who}`);
  return button;
}

describe('sign-in page (H5 demo picker)', () => {
  it('signs in a demo customer with test:<openid>, stores the session and goes home', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    taro.request.mockResolvedValue({
      statusCode: 200,
      data: { token: 'session-token', expiresAt, customer: { id: 'a'.repeat(24), name: null, status: 'active' } },
    });
    render(<SignInPage />);
    expect(document.body.textContent).toContain('管理员');
    expect(document.body.textContent).not.toContain('Admin');

    await click(demoLoginButton('customer'));
    await vi.waitFor(() => expect(taro.reLaunch).toHaveBeenCalledWith({ url: '/pages/member/home/index' }));
    expect(taro.request).toHaveBeenCalledTimes(1);
    const call = taro.request.mock.calls[0]![0];
    expect(call).toMatchObject({ url: '/api/v1/auth/login', method: 'POST', data: { code: 'test:demo-customer' } });
    expect(call.header.Authorization).toBeUndefined();
    expect(taro.storage.get('loopline.session')).toEqual({ token: 'session-token', expiresAt });
  });

  it("shows the error in the dictionary's words for its code and stays on the page", async () => {
    taro.request.mockResolvedValue({
      statusCode: 429,
      data: { error: { code: 'RATE_LIMITED', message: 'Too many sign-in attempts. Try again in a minute.' } },
    });
    render(<SignInPage />);
    await click(demoLoginButton('admin'));
    await vi.waitFor(() => expect(document.querySelector('.sign-in-error')?.textContent).toBe(translate('zh', 'error.RATE_LIMITED')));
    expect(taro.request.mock.calls[0]![0].data).toEqual({ code: 'test:demo-admin' });
    expect(taro.reLaunch).not.toHaveBeenCalled();
    expect(taro.storage.has('loopline.session')).toBe(false);
  });
});
