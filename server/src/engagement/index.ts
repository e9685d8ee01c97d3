// The engagement review's public API: claims, gifts and follows scored for machine or
// coupon-farming behaviour, the admin's review queue, and the flagged figures for reports.
export { engagementHooks } from './record';
export { engagementScoringJob, runScoringPass } from './job';
export { engagementRoutes } from './routes';
export { engagementData } from './customerData';
export { flaggedCounts } from './flaggedCounts';
