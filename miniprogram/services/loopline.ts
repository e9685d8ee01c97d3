// Every API call the mini-program makes, one function each, typed and checked by the shared contract.
import {
  deletionStartResponse,
  exportResponse,
  loginResponse,
  meResponse,
  memberCodeResponse,
  memberState,
  memberSummary,
  MEMBERSHIP_TERMS_VERSION,
  pointsPage,
  profile,
  staffGrant,
  store,
  storeList,
  type CreateStoreRequest,
  type GrantStaffRequest,
  type MeResponse,
  type Role,
  type UpdateProfileRequest,
} from '@shared/api';
import { apiRequest } from './api';

export type {
  LedgerEntry,
  MemberCodeResponse as MemberCode,
  MemberState as Member,
  MemberSummary,
  MeResponse as Me,
  Store,
} from '@shared/api';

export const api = {
  login: (code: string) =>
    apiRequest('POST', '/auth/login', { body: { code }, schema: loginResponse, allowAnonymous: true }),
  me: () => apiRequest('GET', '/me', { schema: meResponse }),
  join: (phoneCode?: string) =>
    apiRequest('POST', '/members/join', {
      body: { acceptTerms: true, termsVersion: MEMBERSHIP_TERMS_VERSION, ...(phoneCode ? { phoneCode } : {}) },
      schema: memberState,
    }),
  points: () => apiRequest('GET', '/me/points?limit=50', { schema: pointsPage }),
  memberCode: () => apiRequest('GET', '/me/member-code', { schema: memberCodeResponse }),
  profile: () => apiRequest('GET', '/me/profile', { schema: profile }),
  updateProfile: (change: UpdateProfileRequest) => apiRequest('PATCH', '/me/profile', { body: change, schema: profile }),
  exportData: () => apiRequest('GET', '/me/export', { schema: exportResponse }),
  startDeletion: () => apiRequest('POST', '/me/deletion', { schema: deletionStartResponse }),
  confirmDeletion: (token: string) => apiRequest<void>('POST', '/me/deletion/confirm', { body: { token } }),
  identify: (code: string, storeId?: string) =>
    apiRequest('POST', '/staff/members/identify', { body: { code, ...(storeId ? { storeId } : {}) }, schema: memberSummary }),
  stores: () => apiRequest('GET', '/admin/stores', { schema: storeList }),
  createStore: (input: CreateStoreRequest) => apiRequest('POST', '/admin/stores', { body: input, schema: store }),
  grantStaff: (input: GrantStaffRequest) => apiRequest('POST', '/admin/staff', { body: input, schema: staffGrant }),
};

export function hasRole(me: Pick<MeResponse, 'roles'> | undefined, ...roles: Role[]): boolean {
  return Boolean(me?.roles.some((grant) => roles.includes(grant.role)));
}
