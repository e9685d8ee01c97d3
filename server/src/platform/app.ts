import Router from '@koa/router';
import Koa from 'koa';
import { ErrorCode } from '@shared/errors';
import type { Config } from './config';
import { AppError } from './http/errors';
import { errorHandler, jsonBody, requestContext } from './http/middleware';
import { H5_BUILD_DIR, serveMiniProgramH5 } from './http/miniProgramH5';
import { securityHeaders } from './http/securityHeaders';
import type { Logger } from './logger';
import { recordHttpMetrics, metricsRoute } from './metrics/http';
import { serveOpenApi } from './openapi/route';
import type { WechatPlatform } from '../wechat/platform';
import { createSimulatorRouter } from '../wechat/simulator/routes';

export interface AppDeps {
  config: Config;
  log: Logger;
  /** Whether the database answers right now. */
  isDatabaseReady: () => Promise<boolean>;
  /** True while the database is known to be down (engine restarting): requests get 503 at once. */
  isDatabaseDown?: () => boolean;
  /** The WeChat platform (or the built-in simulator): modules call it, never its HTTP API. */
  wechat: WechatPlatform;
}

/** Paths whose handlers use the database (the H5 files and health checks do not). */
const DATABASE_PATHS = /^\/(api|wechat|__wechat)(\/|$)/;
export interface ModuleMount {
  app: Koa;
  /** Router mounted at /api/v1 with JSON bodies parsed. */
  api: Router;
  deps: AppDeps;
}

/** The business modules, as the composition root (server/src/modules.ts) wires them: platform knows none. */
export interface ModuleSet {
  /** Plugs every module's routes in (and subscribes its event handlers). */
  mount(mount: ModuleMount): void;
  /** Starts every module's background jobs; returns a function that stops them. */
  startJobs(deps: AppDeps): () => Promise<void>;
}

/** Largest JSON body the API accepts. */
export const JSON_BODY_LIMIT = 64 * 1024;

export function createApp(deps: AppDeps, modules: ModuleSet): Koa {
  const app = new Koa();
  app.silent = true; // errors are logged by errorHandler, once, with the request id

  // Client addresses come from X-Forwarded-For only when TRUST_PROXY says how many proxies append to it.
  app.proxy = deps.config.trustProxy > 0;
  app.maxIpsCount = deps.config.trustProxy;

  app.use(requestContext(deps.log));
  app.use(securityHeaders(H5_BUILD_DIR));
  app.use(recordHttpMetrics());
  app.use(errorHandler());

  const health = new Router();
  health.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  health.get('/readyz', async (ctx) => {
    const ready = await deps.isDatabaseReady();
    ctx.status = ready ? 200 : 503;
    ctx.body = ready ? { status: 'ready' } : { status: 'unavailable', database: 'down' };
  });
  app.use(health.routes());
  app.use(metricsRoute({ token: deps.config.metrics.token }));

  app.use(async (ctx, next) => {
    if (deps.isDatabaseDown?.() && DATABASE_PATHS.test(ctx.path)) {
      ctx.set('Retry-After', '2');
      throw new AppError(503, ErrorCode.SERVICE_UNAVAILABLE, 'The service is briefly unavailable. Please try again.');
    }
    await next();
  });

  if (deps.config.useWechatSimulator) {
    // Only without an app secret and without WECHAT_API_BASE: a local stand-in for the platform,
    // answering loopback clients only unless WECHAT_SIMULATOR_PUBLIC says otherwise.
    const simulator = createSimulatorRouter({ public: deps.config.simulatorPublic });
    app.use(simulator.routes());
    app.use(simulator.allowedMethods());
  }

  const api = new Router({ prefix: '/api/v1' });
  api.use(jsonBody({ limit: JSON_BODY_LIMIT }));
  modules.mount({ app, api, deps });
  serveOpenApi(api);
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));

  // Last: the mini-program's H5 build at `/` (skips /api, /wechat, /__wechat, /healthz, /readyz).
  app.use(serveMiniProgramH5());

  return app;
}
