import type { PeriodicJob } from '../platform/jobs/periodic';
import { recoverExchanges } from './service';

/** Finishes exchanges a crash left half done (lease-held: one instance at a time). */
export const exchangeRecoveryJob: PeriodicJob = {
  name: 'points-exchange.recover',
  intervalMs: 15_000,
  run: async (now) => void (await recoverExchanges(now)),
};
