import type Router from '@koa/router';
import type Koa from 'koa';
import { profileSyncJob } from './officialAccount/profileSync';
import type { AppDeps } from './platform/app';
import { startPeriodicJob } from './platform/jobs/periodic';
import { aftersalePhotoRoutes, aftersaleRoutes } from './aftersale/routes';
import { replyDeliveryJob } from './aftersale/replyDeliveryJob';
import { slaJob } from './aftersale/slaJob';
import { complaintRetrainJob, complaintRoutes } from './aftersale/complaints';
import { authJobs } from './auth/jobs';
import { authRoutes } from './auth/routes';
import { couponJobs } from './coupons/jobs';
import { releaseStockLeases } from './coupons/stock';
import { couponRoutes } from './coupons/routes';
import { memberJobs } from './members/jobs';
import { memberRoutes } from './members/routes';
import { staffRoutes } from './staff/routes';
import { keywordRuleAdminRoutes, menuAdminRoutes } from './officialAccount/adminRoutes';
import { officialAccountRoutes, sweepDeliveriesJob } from './officialAccount/routes';
import { sweepPushNoncesJob } from './officialAccount/replayGuard';
import { exchangeRecoveryJob, pointsExchangeRoutes } from './pointsExchange';

export interface ModuleMount {
  app: Koa;
  /** Router mounted at /api/v1 with JSON bodies parsed. */
  api: Router;
  deps: AppDeps;
}

/** Every business module plugs its routes in here; one line per module. */
export function mountModules({ app, api, deps }: ModuleMount): void {
  app.use(officialAccountRoutes(deps).routes());
  app.use(aftersalePhotoRoutes().routes()); // uploads are not JSON: beside the JSON API
  api.use(authRoutes(deps).routes());
  api.use(staffRoutes().routes());
  api.use(memberRoutes(deps).routes());
  api.use(couponRoutes(deps).routes());
  api.use(aftersaleRoutes(deps).routes());
  api.use(complaintRoutes().routes());
  api.use(keywordRuleAdminRoutes().routes());
  api.use(menuAdminRoutes(deps).routes());
  api.use(pointsExchangeRoutes().routes());
}

/** Starts every module's background jobs; returns a function that stops them. */
export function startModuleJobs(deps: AppDeps): () => Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  const jobs = [
    sweepDeliveriesJob,
    sweepPushNoncesJob,
    profileSyncJob(deps.wechat, deps.log),
    ...authJobs(),
    ...memberJobs(deps),
    ...couponJobs(deps),
    slaJob,
    complaintRetrainJob,
    exchangeRecoveryJob,
    replyDeliveryJob(deps.wechat, deps.log),
  ];
  const every = deps.config.jobIntervalMs;
  for (const job of jobs) stops.push(startPeriodicJob(every ? { ...job, intervalMs: every } : job, deps.log));
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
    // Stock places this instance leased and did not issue go back to the campaign.
    await releaseStockLeases();
  };
}
