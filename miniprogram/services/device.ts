// A random id for this device, kept in storage and sent with every request: the server stores it
// hashed to notice many accounts on one phone (coupon farming). It names nothing about the person.
import Taro from '@tarojs/taro';

const DEVICE_KEY = 'loopline.device';

function randomId(): string {
  const bytes = new Uint8Array(16);
  if (typeof crypto !== 'undefined' && crypto.getRandomValues) crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

let cached: string | undefined;

export function deviceId(): string {
  if (cached) return cached;
  try {
    const stored = Taro.getStorageSync(DEVICE_KEY) as string | '' | undefined;
    if (stored && /^[A-Za-z0-9_-]{8,128}$/.test(stored)) return (cached = stored);
    cached = randomId();
    Taro.setStorageSync(DEVICE_KEY, cached);
  } catch {
    cached ??= randomId();
  }
  return cached;
}
