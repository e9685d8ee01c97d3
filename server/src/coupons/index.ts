// The coupons module's public API: campaigns, claims, gifts, redemptions.
export { issueFromChannel, listUsableCoupons, type ChannelIssue } from './channelIssue';
export type { CouponDoc } from './model';
export { couponRoutes } from './routes';
export { couponJobs } from './jobs';
export { couponsData } from './customerData';
