import Router from '@koa/router';
import Koa from 'koa';
import type { Config } from './config';
import { errorHandler, jsonBody, requestContext } from './http/middleware';
import { serveMiniProgramH5 } from './http/miniProgramH5';
import type { Logger } from './logger';
import type { WechatPlatform } from '../wechat/platform';
import { createSimulatorRouter } from '../wechat/simulator/routes';

export interface AppDeps {
  config: Config;
  log: Logger;
  /** Whether the database answers right now. */
  isDatabaseReady: () => Promise<boolean>;
  /** The WeChat platform (or the built-in simulator): modules call it, never its HTTP API. */
  wechat: WechatPlatform;
}

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

  app.use(requestContext(deps.log));
  app.use(errorHandler());
  app.use(async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });

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

  if (deps.config.useWechatSimulator) {
    // Only without an app secret and without WECHAT_API_BASE: a local stand-in for the platform.
    const simulator = createSimulatorRouter();
    app.use(simulator.routes());
    app.use(simulator.allowedMethods());
  }

  const api = new Router({ prefix: '/api/v1' });
  api.use(jsonBody({ limit: JSON_BODY_LIMIT }));
  modules.mount({ app, api, deps });
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));

  // Last: the mini-program's H5 build at `/` (skips /api, /wechat, /__wechat, /healthz, /readyz).
  app.use(serveMiniProgramH5());

  return app;
}
