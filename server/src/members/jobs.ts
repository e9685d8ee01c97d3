import type { AppDeps } from '../platform/app';
import type { PeriodicJob } from '../platform/jobs/periodic';
import { runBirthdayGifts } from './birthday';
import { checkTiers, expirePoints, remindExpiringPoints } from './lifecycle';
import { finishConfirmedDeletions, sweepDeletionRequests } from './privacy';

export function memberJobs(deps: AppDeps): PeriodicJob[] {
  const { wechat } = deps;
  return [
    {
      name: 'members.expire-points',
      intervalMs: 60 * 60_000,
      run: async (now) => {
        await expirePoints(now);
        await remindExpiringPoints(now, { wechat, log: deps.log });
      },
    },
    {
      name: 'members.birthday-gifts',
      intervalMs: 60 * 60_000,
      run: async (now) => void (await runBirthdayGifts(now, { wechat, log: deps.log })),
    },
    { name: 'members.check-tiers', intervalMs: 6 * 60 * 60_000, run: async (now) => void (await checkTiers(now)) },
    {
      name: 'members.deletions',
      intervalMs: 5 * 60_000,
      run: async (now) => {
        await finishConfirmedDeletions(now);
        await sweepDeletionRequests(now);
      },
    },
  ];
}
