// The members module's public API: membership, points, member codes, privacy (export, deletion).
export {
  adjustPoints,
  earnPoints,
  findLedgerEntry,
  getMember,
  joinMembership,
  memberTierOf,
  pointsBalance,
  refundPoints,
  reversePoints,
  spendPoints,
} from './service';
export type { MemberDoc } from './model';
export { spendAcceptance, unusedAcceptances, unusedAcceptancesOf } from './subscriptions';
export { memberRoutes } from './routes';
export { memberJobs } from './jobs';
export { pointsExpiringBefore } from './lifecycle';
export { membersData } from './customerData';
