import {
  aftersaleData,
  aftersalePhotoRoutes,
  aftersaleRoutes,
  complaintRetrainJob,
  complaintRoutes,
  complaintsData,
  replyDeliveryJob,
  slaJob,
} from './aftersale';
import { analyticsData, analyticsRoutes, rollupJob } from './analytics';
import { authData, authJobs, authRoutes } from './auth';
import { crmData, crmRoutes, crmRulesJob, crmTagSyncJob, resolveSegmentCustomerIds } from './crm';
import { couponJobs, couponRoutes, couponsData, releaseStockLeases, setEngagementHooks } from './coupons';
import { customersData } from './customers';
import { engagementData, engagementHooks, engagementRoutes, engagementScoringJob, flaggedCounts } from './engagement';
import { memberJobs, memberRoutes, membersData } from './members';
import {
  keywordRuleAdminRoutes,
  menuAdminRoutes,
  officialAccountData,
  officialAccountRoutes,
  profileSyncJob,
  sweepDeliveriesJob,
  sweepPushNoncesJob,
} from './officialAccount';
import { answerMarketingCommand, outreachData, outreachRoutes, outreachSendJob, type SenderDeps } from './outreach';
import type { AppDeps, ModuleMount, ModuleSet } from './platform/app';
import { registerCustomerData, type CustomerDataPart } from './platform/customerData';
import { reportEventFailuresTo, retryEventsJob } from './platform/events';
import { startPeriodicJob } from './platform/jobs/periodic';
import { exchangeRecoveryJob, pointsExchangeData, pointsExchangeRoutes } from './pointsExchange';
import { staffData, staffRoutes } from './staff';

/**
 * Every module's part in a customer's erasure, merge and export. The customers module comes last:
 * the others may still look up the person's identities while they erase.
 */
export const CUSTOMER_DATA: readonly CustomerDataPart[] = [
  membersData,
  couponsData,
  aftersaleData,
  complaintsData,
  pointsExchangeData,
  authData,
  staffData,
  officialAccountData,
  outreachData,
  crmData,
  analyticsData,
  engagementData,
  customersData,
];

/** The outreach module's wiring: its audience segments are the CRM's saved segments. */
const outreachWiring = (deps: Pick<AppDeps, 'wechat' | 'log' | 'config'>): SenderDeps => ({
  wechat: deps.wechat,
  log: deps.log,
  resolveSegment: resolveSegmentCustomerIds,
  weeklyCap: deps.config.outreach.weeklyCap,
  concurrency: deps.config.outreach.sendConcurrency,
});

/** Subscribes every module to the domain events it handles. Idempotent. */
export function registerModules(deps: Pick<AppDeps, 'log'>): void {
  reportEventFailuresTo(deps.log);
  for (const part of CUSTOMER_DATA) registerCustomerData(part);
  setEngagementHooks(engagementHooks);
}

/** One outreach sender per app: the send route starts passes on it, shutdown stops them. */
const outreachSenders = new WeakMap<AppDeps, ReturnType<typeof outreachSendJob>>();
function outreachSenderOf(deps: AppDeps): ReturnType<typeof outreachSendJob> {
  let sender = outreachSenders.get(deps);
  if (!sender) outreachSenders.set(deps, (sender = outreachSendJob(outreachWiring(deps))));
  return sender;
}

/** Every business module plugs its routes in here; one line per module. */
export function mountModules({ app, api, deps }: ModuleMount): void {
  registerModules(deps);
  app.use(officialAccountRoutes(deps, { textCommands: [answerMarketingCommand] }).routes());
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
  const outreach = outreachWiring(deps);
  const sender = outreachSenderOf(deps);
  api.use(outreachRoutes({ resolveSegment: outreach.resolveSegment, weeklyCap: outreach.weeklyCap, kick: sender.kick }).routes());
  api.use(crmRoutes().routes());
  api.use(analyticsRoutes({ flaggedCounts }).routes());
  api.use(engagementRoutes().routes());
}

/** Starts every module's background jobs; returns a function that stops them. */
export function startModuleJobs(deps: AppDeps): () => Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  const outreachSender = outreachSenderOf(deps);
  const jobs = [
    retryEventsJob,
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
    outreachSender.job,
    crmRulesJob,
    crmTagSyncJob(deps.wechat),
    rollupJob,
    engagementScoringJob,
  ];
  const every = deps.config.jobIntervalMs;
  for (const job of jobs) stops.push(startPeriodicJob(every ? { ...job, intervalMs: every } : job, deps.log));
  return async () => {
    outreachSender.abort(); // a send in progress stops between recipients; the next holder goes on
    await Promise.all(stops.map((stop) => stop()));
    // Stock places this instance leased and did not issue go back to the campaign.
    await releaseStockLeases();
  };
}

/** Every module, as the platform's app and server take them. */
export const MODULES: ModuleSet = { mount: mountModules, startJobs: startModuleJobs };
