import type { PeriodicJob } from '../platform/jobs/periodic';
import { sweepRateLimits } from '../platform/http/rateLimit';
import { sweepExpiredSessions } from './service';

export function authJobs(): PeriodicJob[] {
  return [
    { name: 'auth.sweep-sessions', intervalMs: 10 * 60_000, run: async (now) => void (await sweepExpiredSessions(now)) },
    { name: 'http.sweep-rate-limits', intervalMs: 5 * 60_000, run: async (now) => void (await sweepRateLimits(now)) },
  ];
}
