import { setTimeout as sleep } from 'node:timers/promises';
import { WechatApiError, WechatTransportError } from '../platform';

export interface TransportSettings {
  /** Resolved on every call: the simulator's URL is only known once the server listens. */
  baseUrl: () => string;
  /** Upper bound for one HTTP exchange with the platform. */
  timeoutMs: number;
  /** How many times a `-1 system busy` answer is retried. */
  busyRetries: number;
  /** First back-off after `-1`; doubles on each retry. */
  busyBackoffMs: number;
}

export interface PlatformCall {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Name used in errors and logs (never the URL: it can carry secrets and tokens). */
  endpoint?: string;
}

interface PlatformAnswer {
  errcode?: number;
  errmsg?: string;
}

/**
 * One call to the platform: JSON in, JSON out, `errcode` ≠ 0 thrown as WechatApiError,
 * `-1` retried with a doubling back-off, every exchange bounded by a timeout.
 */
export async function callPlatform<T>(settings: TransportSettings, call: PlatformCall): Promise<T> {
  const endpoint = call.endpoint ?? call.path;
  for (let attempt = 0; ; attempt++) {
    const answer = await exchange<T & PlatformAnswer>(settings, call, endpoint);
    const errcode = answer.errcode ?? 0;
    if (errcode === 0) return answer;
    if (errcode === -1 && attempt < settings.busyRetries) {
      await sleep(settings.busyBackoffMs * 2 ** attempt);
      continue;
    }
    throw new WechatApiError(errcode, answer.errmsg ?? '', endpoint);
  }
}

async function exchange<T>(settings: TransportSettings, call: PlatformCall, endpoint: string): Promise<T> {
  const url = new URL(settings.baseUrl().replace(/\/$/, '') + call.path);
  for (const [key, value] of Object.entries(call.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: call.method,
      headers: call.body === undefined ? {} : { 'content-type': 'application/json' },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (err) {
    throw transportError(err, endpoint, settings.timeoutMs);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw transportError(err, endpoint, settings.timeoutMs);
  }
  if (!res.ok) throw new WechatTransportError(endpoint, `HTTP ${res.status}`, false);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new WechatTransportError(endpoint, 'the answer is not JSON', false);
  }
}

function transportError(err: unknown, endpoint: string, timeoutMs: number): WechatTransportError {
  const name = (err as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new WechatTransportError(endpoint, `no answer within ${timeoutMs} ms`, true);
  }
  return new WechatTransportError(endpoint, (err as Error)?.message ?? 'network error', false);
}
