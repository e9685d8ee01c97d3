// The official-account module's public API: the push endpoint, the bot, follower profile sync.
export { officialAccountRoutes, sweepDeliveriesJob } from './routes';
export { keywordRuleAdminRoutes, menuAdminRoutes } from './adminRoutes';
export { sweepPushNoncesJob } from './replayGuard';
export { profileSyncJob } from './profileSync';
export { officialAccountData } from './customerData';
export type { TextCommand } from './bot';
