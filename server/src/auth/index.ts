// The auth module's public API: sign-in, sessions, and the middleware that guards routes.
export { requireCustomer, requireRole, requireStaff, storeIdInBody, storeIdInQuery } from './middleware';
export { customerSummaryOf } from './shape';
export { revokeAllSessions } from './service';
export { authRoutes } from './routes';
export { authJobs } from './jobs';
export { authData } from './customerData';
