import type { AppDeps } from '../platform/app';
import type { PeriodicJob } from '../platform/jobs/periodic';
import { checkTiers, expirePoints, remindExpiringPoints } from './lifecycle';
import { recoverPendingEntries } from './points';
import { sweepDeletionRequests } from './privacy';

export function memberJobs(deps: AppDeps): PeriodicJob[] {
  const { wechat } = deps;
  return [
    { name: 'members.recover-ledger', intervalMs: 60_000, run: async (now) => void (await recoverPendingEntries(now)) },
    {
      name: 'members.expire-points',
      intervalMs: 60 * 60_000,
      run: async (now) => {
        await expirePoints(now);
        await remindExpiringPoints(now, { wechat, log: deps.log });
      },
    },
    { name: 'members.check-tiers', intervalMs: 6 * 60 * 60_000, run: async (now) => void (await checkTiers(now)) },
    { name: 'members.sweep-deletions', intervalMs: 10 * 60_000, run: async (now) => void (await sweepDeletionRequests(now)) },
  ];
}
