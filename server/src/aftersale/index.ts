// The after-sale module's public API: tickets, their conversation and photos, SLAs, escalation.
export { escalateFromMessage, ticketStatusSummary, type EscalationResult, type TicketStatusSummary } from './escalation';
export { aftersalePhotoRoutes, aftersaleRoutes } from './routes';
export { slaJob } from './slaJob';
export { aftersaleData } from './customerData';
export { replyDeliveryJob } from './replyDeliveryJob';
export { complaintRetrainJob, complaintRoutes, complaintsData } from './complaints';
export { chooseChannel, clip, OA_INBOUND_TYPES, type DeliveryChannel } from './replyDelivery';
export { storeWorklist, ticketFactsOf, ticketOwner, ticketsOfCustomer, type StoreWork, type TicketFacts } from './crmFacts';
