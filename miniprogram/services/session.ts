import Taro from '@tarojs/taro';

// The session lives in storage so a reload or a cold start keeps the customer signed in.
const SESSION_KEY = 'loopline.session';

export type { Role } from '@shared/api';

export interface StoredSession {
  token: string;
  expiresAt: string;
}

export function readSession(): StoredSession | undefined {
  try {
    const value = Taro.getStorageSync(SESSION_KEY) as StoredSession | '' | undefined;
    if (!value || typeof value !== 'object' || !value.token) return undefined;
    if (Date.parse(value.expiresAt) <= Date.now()) {
      clearSession();
      return undefined;
    }
    return value;
  } catch {
    return undefined;
  }
}

export function saveSession(session: StoredSession): void {
  Taro.setStorageSync(SESSION_KEY, session);
}

export function clearSession(): void {
  Taro.removeStorageSync(SESSION_KEY);
}
