// The staff module's public API: stores and the roles people hold in them.
export { getStore, grantAdmin, listStores, revokeAllRoles, rolesOf, type RoleDoc, type StoreDoc } from './service';
export { isAdmin, managedStores, managesStore, managesStoreOrAdmin, type Actor } from './policies';
export { staffRoutes } from './routes';
export { staffData } from './customerData';
