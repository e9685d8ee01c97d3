// The staff module's public API: stores and the roles people hold in them.
export { getStore, grantAdmin, isAdmin, listStores, managesStore, revokeAllRoles, rolesOf, type Actor, type RoleDoc, type StoreDoc } from './service';
export { staffRoutes } from './routes';
export { staffData } from './customerData';
