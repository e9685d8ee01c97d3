import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { useCallback, useState } from 'react';
import { t, TABS } from '../i18n';
import { errorMessage, SIGN_IN_PAGE } from './api';
import { api, hasRole, type Me } from './loopline';
import { readSession } from './session';
import type { Role } from '@shared/api';

export interface MeState {
  me: Me | undefined;
  loading: boolean;
  error: string | undefined;
  reload: () => Promise<void>;
}

/** Loads /me each time the page shows; without a session goes to sign-in. Optionally guards by role. */
export function useMe(requiredRoles?: Role[]): MeState {
  const [me, setMe] = useState<Me>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();

  const reload = useCallback(async () => {
    if (!readSession()) {
      void Taro.reLaunch({ url: SIGN_IN_PAGE });
      return;
    }
    setLoading(true);
    try {
      const loaded = await api.me();
      if (requiredRoles && !hasRole(loaded, ...requiredRoles)) {
        setError(t('common.notAllowed'));
        setMe(loaded);
        return;
      }
      setMe(loaded);
      setError(undefined);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setLoading(false);
    }
    // requiredRoles is a literal per page
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useDidShow(() => {
    void reload();
  });

  return { me, loading, error, reload };
}

const TAB_PAGES = new Set(TABS.map((tab) => `/${tab.page}`));

/** Opens a page: a tab page by switching tabs (it takes no query), any other on top of this one. */
export function go(url: string): void {
  const path = url.split('?')[0]!;
  if (TAB_PAGES.has(path)) void Taro.switchTab({ url: path });
  else void Taro.navigateTo({ url });
}

/** Pull-to-refresh on a list page (the page's config sets enablePullDownRefresh): reloads, then lets go. */
export function usePullRefresh(reload: () => Promise<unknown> | void): void {
  usePullDownRefresh(() => {
    void Promise.resolve(reload())
      .catch(() => undefined)
      .finally(() => void Taro.stopPullDownRefresh());
  });
}

/** A short confirmation the platform's way. */
export function toast(title: string, icon: 'success' | 'none' = 'success'): void {
  void Taro.showToast({ title, icon, duration: icon === 'none' ? 3000 : 1500 });
}
