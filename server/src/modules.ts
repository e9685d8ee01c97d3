import type Router from '@koa/router';
import type Koa from 'koa';
import type { AppDeps } from './platform/app';
import { startPeriodicJob } from './platform/jobs/periodic';
import { slaJob } from './aftersale/slaJob';

export interface ModuleMount {
  app: Koa;
  /** Router mounted at /api/v1 with JSON bodies parsed. */
  api: Router;
  deps: AppDeps;
}

/** Every business module plugs its routes in here; one line per module. */
export function mountModules(_mount: ModuleMount): void {
  // Business modules are added here as they are built.
}

/** Starts every module's background jobs; returns a function that stops them. */
export function startModuleJobs(deps: AppDeps): () => Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  stops.push(startPeriodicJob(slaJob, deps.log));
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}
