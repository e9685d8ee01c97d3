import type Router from '@koa/router';
import type Koa from 'koa';
import { profileSyncJob } from './officialAccount/profileSync';
import type { AppDeps } from './platform/app';
import { startPeriodicJob } from './platform/jobs/periodic';
import { authJobs } from './auth/jobs';
import { authRoutes } from './auth/routes';
import { memberJobs } from './members/jobs';
import { memberRoutes } from './members/routes';
import { staffRoutes } from './staff/routes';

export interface ModuleMount {
  app: Koa;
  /** Router mounted at /api/v1 with JSON bodies parsed. */
  api: Router;
  deps: AppDeps;
}

/** Every business module plugs its routes in here; one line per module. */
export function mountModules({ api, deps }: ModuleMount): void {
  api.use(authRoutes(deps).routes());
  api.use(staffRoutes().routes());
  api.use(memberRoutes(deps).routes());
}

/** Starts every module's background jobs; returns a function that stops them. */
export function startModuleJobs(deps: AppDeps): () => Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  stops.push(startPeriodicJob(profileSyncJob(deps.wechat, deps.log), deps.log));
  for (const job of [...authJobs(), ...memberJobs(deps)]) stops.push(startPeriodicJob(job, deps.log));
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
