import type { PeriodicJob } from '../platform/jobs/periodic';
import { rollHours } from './live';
import { runRollups } from './rollup';

/** The periodic job: every 10 minutes, roll up the days that closed, then today's closed hours. */
export const rollupJob: PeriodicJob = {
  name: 'analytics-rollup',
  intervalMs: 10 * 60 * 1000,
  run: async (now) => {
    await runRollups(now);
    await rollHours(now);
  },
};
