// The official-account module's public API: the push endpoint, the bot, follower profile sync.
export { officialAccountRoutes, sweepDeliveriesJob } from './routes';
export { keywordRuleAdminRoutes } from './adminRoutes';
export { profileSyncJob } from './profileSync';
export { officialAccountData } from './customerData';
