// Taro's platform calls for page tests in plain React DOM: requests and navigation are spies, storage
// is a Map. Load it in vi.hoisted (it runs before imports):
//   const taro = await vi.hoisted(async () => (await import('../../../test/taroStub')).taroStub());
import { vi } from 'vitest';

export function taroStub() {
  const storage = new Map<string, unknown>();
  return {
    storage,
    request: vi.fn(),
    reLaunch: vi.fn(async () => undefined),
    login: vi.fn(),
    showToast: vi.fn(),
    setNavigationBarTitle: vi.fn(async () => undefined),
    getStorageSync: (key: string) => storage.get(key) ?? '',
    setStorageSync: (key: string, value: unknown) => void storage.set(key, value),
    removeStorageSync: (key: string) => void storage.delete(key),
  };
}
