// Typed client of the Loopline HTTP API on Taro.request: bearer token from storage, responses checked
// against the shared zod schemas in development, 401 sends the user back to sign-in, and every failure
// surfaces as an ApiError carrying the contract's code and message.
import Taro from '@tarojs/taro';
import type { ZodType } from 'zod';
import { ErrorCode, type ErrorBody } from '@shared/errors';
import { t } from '../i18n';
import { isMessageKey, type MessageKey } from '@shared/i18n';
import { DEVICE_HEADER } from '@shared/engagement';
import { deviceId } from './device';
import { clearSession, readSession } from './session';

declare const LOOPLINE_API_BASE: string;

/** Where the API lives: same origin for H5, configured at build time for weapp. */
export const API_BASE: string = `${LOOPLINE_API_BASE}/api/v1`;
export const SIGN_IN_PAGE = '/pages/auth/sign-in/index';

const validateResponses = process.env.NODE_ENV !== 'production';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions<T> {
  body?: unknown;
  /** Checks the 2xx body in development builds. */
  schema?: ZodType<T>;
  /** Skip the automatic jump to sign-in on 401 (the sign-in page itself). */
  allowAnonymous?: boolean;
  /** Extra request headers (Idempotency-Key). */
  headers?: Record<string, string>;
}

let redirectingToSignIn = false;

export async function apiRequest<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: RequestOptions<T> = {},
): Promise<T> {
  const session = readSession();
  const header: Record<string, string> = { Accept: 'application/json', [DEVICE_HEADER]: deviceId(), ...options.headers };
  if (options.body !== undefined) header['Content-Type'] = 'application/json';
  if (session) header.Authorization = `Bearer ${session.token}`;

  let res: Taro.request.SuccessCallbackResult<string | ArrayBuffer | Record<string, unknown>>;
  try {
    res = await Taro.request({
      url: API_BASE + path,
      method,
      header,
      data: options.body as never,
      dataType: 'json',
      timeout: 15_000,
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', 'network unavailable');
  }

  const status = res.statusCode;
  if (status >= 200 && status < 300) {
    const data = res.data as T;
    if (validateResponses && options.schema) {
      const checked = options.schema.safeParse(data);
      if (!checked.success) {
        console.error(`[api] ${method} ${path}: response does not match the contract`, checked.error.issues);
        throw new ApiError(status, 'CONTRACT_MISMATCH', 'the response does not match the contract');
      }
      return checked.data;
    }
    return data;
  }

  const error = readErrorBody(res.data);
  if (status === 401 && !options.allowAnonymous) {
    clearSession();
    if (!redirectingToSignIn) {
      redirectingToSignIn = true;
      Taro.reLaunch({ url: SIGN_IN_PAGE }).finally(() => {
        redirectingToSignIn = false;
      });
    }
  }
  throw new ApiError(
    status,
    error?.code ?? (status === 401 ? ErrorCode.UNAUTHENTICATED : ErrorCode.INTERNAL),
    error?.message ?? `HTTP ${status}`,
    error?.fields,
  );
}

function readErrorBody(data: unknown): ErrorBody['error'] | undefined {
  let body = data;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const error = (body as Partial<ErrorBody> | undefined)?.error;
  return error && typeof error.code === 'string' && typeof error.message === 'string' ? error : undefined;
}

/**
 * The words to show for any failure, in the person's language: the dictionary's text for the
 * contract's error code (the server's own message is for logs and developers), the field to check
 * after a validation error, and a plain "something went wrong" for anything unknown.
 */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'NETWORK') return t('error.network');
    if (err.code === ErrorCode.VALIDATION_FAILED) {
      const field = err.fields?.[0]?.path.split('.')[0];
      const fieldKey = `field.${field}`;
      return field && isMessageKey(fieldKey) ? t('error.VALIDATION_FAILED.field', { field: t(fieldKey) }) : t('error.VALIDATION_FAILED');
    }
    const key = `error.${err.code}`;
    if (isMessageKey(key)) return t(key);
    if (err.status === 429) return t('error.RATE_LIMITED');
    if (err.status === 409) return t('error.CONFLICT');
    if (err.status === 404) return t('error.NOT_FOUND');
    if (err.status === 403) return t('error.FORBIDDEN');
  }
  return t('error.generic');
}

/** The dictionary key for an error code the pages know, if any (redeem previews carry bare codes). */
export function errorKey(code: string | undefined): MessageKey | undefined {
  const key = `error.${code}`;
  return code && isMessageKey(key) ? key : undefined;
}

/** Shows a failure the way the platform shows messages. */
export function showError(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) return; // already on the way to sign-in
  void Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
}
