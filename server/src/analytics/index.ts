// The analytics module's public API: daily rollups of the timeline and the dashboard built on them.
import { DomainError } from '../platform/errors';
import { ErrorCode } from '@shared/errors';
import type { FlaggedCountsSource } from './dashboard';

export { analyticsRoutes } from './routes';
export { dashboardReport, type FlaggedCountsSource } from './dashboard';
export { rollupJob, runRollups } from './rollup';
export { analyticsData } from './customerData';

/** The flagged-engagement source until the engagement module is wired in: always unavailable. */
export const flaggedCountsUnavailable: FlaggedCountsSource = async () => {
  throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Flagged engagement counts are not available.');
};
