// The customers module's public API: one person across the official account and the mini-program,
// and their timeline. Other modules import this file only.
export * from './service';
export type { CustomerDoc, IdentityKind, TimelineDoc } from './model';
export { customersData } from './customerData';
