// The analytics module's public API: daily rollups of the timeline and the dashboard built on them.

export { analyticsRoutes } from './routes';
export { dashboardReport, type FlaggedCountsSource } from './dashboard';
export { rollupJob, runRollups } from './rollup';
export { analyticsData } from './customerData';
