// The analytics module's public API: daily rollups of the timeline and the dashboard built on them.

export { analyticsRoutes } from './routes';
export { dashboardReport, type FlaggedCountsSource } from './dashboard';
export { runRollups } from './rollup';
export { rollHours } from './live';
export { rollupJob } from './job';
export { analyticsData } from './customerData';
