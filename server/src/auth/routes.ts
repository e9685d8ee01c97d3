import { createHash } from 'node:crypto';
import Router from '@koa/router';
import { loginRequest, type LoginResponse } from '@shared/api/auth';
import { getCustomer } from '../customers';
import type { AppDeps } from '../platform/app';
import { parseWith } from '../platform/http/middleware';
import { AppError, unauthenticated } from '../platform/http/errors';
import { enforceRateLimit, rateLimited, type RateLimit } from '../platform/http/rateLimit';
import { WechatApiError } from '../wechat/platform';
import { requireCustomer } from './middleware';
import { loginWithCode, revokeSession } from './service';
import { customerSummaryOf } from './shape';

/**
 * Per client address, sized for many honest people behind one address (a campus or mall NAT, a
 * carrier's gateway); per code (a code is single use: repeats are guessing or replay); and per
 * openid the code turned out to be (one person signing in again and again).
 */
export const LOGIN_LIMITS: { perIp: RateLimit; perCode: RateLimit; perOpenid: RateLimit } = {
  perIp: { name: 'login-ip', max: 600, windowMs: 60_000 },
  perCode: { name: 'login-code', max: 5, windowMs: 5 * 60_000 },
  perOpenid: { name: 'login-openid', max: 20, windowMs: 60_000 },
};

/** Codes and openids are counted by hash only: the limits' records name nobody. */
export const hashedLimitKey = (value: string) => createHash('sha256').update(value).digest('base64url');

export function authRoutes(deps: AppDeps): Router {
  const router = new Router();

  router.post('/auth/login', async (ctx) => {
    await enforceRateLimit(LOGIN_LIMITS.perIp, ctx.ip);
    const { code } = parseWith(loginRequest, ctx.request.body);
    await enforceRateLimit(LOGIN_LIMITS.perCode, hashedLimitKey(code));
    let session;
    try {
      session = await loginWithCode(code, {
        wechat: deps.wechat,
        adminOpenids: deps.config.adminOpenids,
        admitOpenid: (openid) => enforceRateLimit(LOGIN_LIMITS.perOpenid, hashedLimitKey(openid)),
      });
    } catch (err) {
      // 40029 invalid, 40163 used, 40226 blocked user: the code does not sign anyone in.
      if (err instanceof WechatApiError && [40029, 40163, 40226].includes(err.errcode)) {
        throw unauthenticated('This login code is invalid or used. Please log in again.');
      }
      if (err instanceof WechatApiError && err.errcode === 45011) throw rateLimited();
      if (err instanceof WechatApiError) throw new AppError(503, 'SERVICE_UNAVAILABLE', 'WeChat login is briefly unavailable.');
      throw err;
    }
    const customer = await getCustomer(session.customerId);
    const body: LoginResponse = {
      token: session.token,
      expiresAt: session.expiresAt.toISOString(),
      customer: customerSummaryOf(customer!),
    };
    ctx.body = body;
  });

  router.post('/auth/logout', requireCustomer(), async (ctx) => {
    await revokeSession(ctx.state.token);
    ctx.status = 204;
  });

  return router;
}
