// The coupons module's public API: campaigns, claims, gifts, redemptions.
export { issueFromChannel, listUsableCoupons, type ChannelIssue } from './channelIssue';
export type { CouponDoc } from './model';
export { couponRoutes } from './routes';
export { couponJobs } from './jobs';
export { couponsData } from './customerData';
export { releaseStockLeases } from './stock';
export { campaignNames, listClaimableCampaigns, type CampaignWithCounts } from './campaigns';
export { claimCoupon } from './claim';
export { claimPrecheck, findCouponByClaimKey, getIssuedCoupon, voidIssuedCoupon } from './keyedIssue';
export { tierAllows, unlockingTier } from './tierAccess';
export { campaignView, couponView } from './views';
export { couponFactsOf, couponsHeldBy, giftsGivenBy, type CouponFacts, type GivenGift } from './crmFacts';
export { issueHeldCoupon, listHeldCoupons, refuseHeldCoupon } from './held';
export { setEngagementHooks, type ClaimSeen, type ClientSeen, type EngagementHooks, type GiftSeen } from './engagementHooks';
export { clerkFlagged, redemptionsByClerk, type ClerkRedemptions } from './funnel';
