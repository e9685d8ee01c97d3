// The social CRM's public API: tags (manual, automatic, synced to the official account), segments,
// advocates, the staff's customer view and Today.
export { crmRoutes } from './routes';
export { crmData } from './customerData';
export { crmRulesJob, crmTagSyncJob, runRulesPass } from './jobs';
export { refreshCustomer } from './facts';
export { ADVOCATES_SEGMENT_ID, resolveSegmentCustomerIds } from './segments';
export { syncOfficialAccountTags, type SyncResult } from './oaSync';
