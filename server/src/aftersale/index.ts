// The after-sale module's public API: tickets, their conversation and photos, SLAs, escalation.
export { escalateFromMessage, ticketStatusSummary, type EscalationResult, type TicketStatusSummary } from './escalation';
export { aftersalePhotoRoutes, aftersaleRoutes } from './routes';
export { slaJob } from './slaJob';
export { aftersaleData } from './customerData';
