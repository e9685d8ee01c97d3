import Taro, { useDidShow } from '@tarojs/taro';
import { useCallback, useState } from 'react';
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
        setError('你没有权限查看此页面 (not allowed)');
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

export function go(url: string): void {
  void Taro.navigateTo({ url });
}
