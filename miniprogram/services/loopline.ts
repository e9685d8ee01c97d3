import { outreachPreview, outreachView, type CreateOutreachRequest } from '@shared/api/outreach';
// Every API call the mini-program makes, one function each, typed and checked by the shared contract.
import type { DashboardReport } from '@shared/api/analytics';
import type { FlagView, ReviewListView, ReviewStatus } from '@shared/engagement';
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
import type {
  CampaignListView,
  CampaignStatus,
  CampaignView,
  CouponState,
  CouponView,
  CreateCampaignInput,
  FunnelReport,
  RedemptionPreview,
  RedemptionView,
} from '@shared/coupons';
import type { z } from 'zod';
import {
  keywordRuleListSchema,
  keywordRuleViewSchema,
  type createKeywordRuleSchema,
  type KeywordRuleView,
  type UpdateKeywordRule,
  type MenuDraft,
  type MenuState,
} from '@shared/officialAccount';
import type { PointsExchangeOffers, PointsExchangeResult } from '@shared/pointsExchange';
import type {
  CreateTagRequest,
  CustomerBrief,
  CustomerView,
  SegmentCondition,
  SegmentCount,
  SegmentDefinition,
  SegmentView,
  TagView,
  TodayItem,
  TodayKind,
  TodayView,
} from '@shared/api/crm';
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
  login: (code: string) => apiRequest('POST', '/auth/login', { body: { code }, schema: loginResponse, allowAnonymous: true }),
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

// Coupons: the customer's centre and wallet, the clerk's till, the admin's campaigns and funnel.
// shared/coupons.ts types the answers (the server shapes them in coupons/views.ts).

export type { CampaignView as Campaign, CouponView as Coupon, FunnelReport, RedemptionPreview, RedemptionView as Redemption };

/** Identifies a redemption attempt at the till: code typed/scanned, the store, the order amount. */
export interface TillInput {
  code?: string;
  qrToken?: string;
  orderAmountFen?: number;
  storeId?: string;
}

const withIdempotencyKey = (key: string) => ({ 'Idempotency-Key': key });

export const couponApi = {
  claimable: () => apiRequest<CampaignListView>('GET', '/campaigns'),
  /** The same key for the same tap: a retried or doubled request claims once. */
  claim: (campaignId: string, idempotencyKey: string) =>
    apiRequest<{ coupon: CouponView; underReview?: boolean }>('POST', `/campaigns/${encodeURIComponent(campaignId)}/claim`, {
      headers: withIdempotencyKey(idempotencyKey),
    }),
  mine: (state?: CouponState) =>
    apiRequest<{ items: CouponView[] }>('GET', `/coupons${state ? `?state=${encodeURIComponent(state)}` : ''}`),
  coupon: (id: string) => apiRequest<{ coupon: CouponView }>('GET', `/coupons/${encodeURIComponent(id)}`),
  qrToken: (id: string) => apiRequest<{ token: string; expiresAt: string }>('GET', `/coupons/${encodeURIComponent(id)}/qr-token`),
  gift: (id: string) =>
    apiRequest<{ token: string; expiresAt: string; coupon: CouponView }>('POST', `/coupons/${encodeURIComponent(id)}/gift`),
  cancelGift: (id: string) => apiRequest<{ coupon: CouponView }>('DELETE', `/coupons/${encodeURIComponent(id)}/gift`),
  acceptGift: (token: string) => apiRequest<{ coupon: CouponView }>('POST', '/gifts/accept', { body: { token } }),

  preview: (input: TillInput) => apiRequest<RedemptionPreview>('POST', '/staff/redemptions/preview', { body: input }),
  redeem: (input: TillInput) =>
    apiRequest<{ redemption: RedemptionView; coupon: CouponView }>('POST', '/staff/redemptions', { body: input }),
  today: (storeId?: string) =>
    apiRequest<{ items: RedemptionView[] }>('GET', `/staff/redemptions/today${storeId ? `?storeId=${encodeURIComponent(storeId)}` : ''}`),

  campaigns: () => apiRequest<{ items: CampaignView[] }>('GET', '/admin/campaigns'),
  createCampaign: (input: CreateCampaignInput) => apiRequest<CampaignView>('POST', '/admin/campaigns', { body: input }),
  updateCampaign: (id: string, change: { status?: CampaignStatus; stock?: number }) =>
    apiRequest<CampaignView>('PATCH', `/admin/campaigns/${encodeURIComponent(id)}`, { body: change }),
  funnel: (campaignId: string) => apiRequest<FunnelReport>('GET', `/admin/reports/funnel?campaignId=${encodeURIComponent(campaignId)}`),
};

export type { DashboardReport } from '@shared/api/analytics';

// The analytics dashboard (admins: all stores or one; managers: their store).
const dashboardQueryString = (q: { from: string; to: string; storeId?: string | undefined }) =>
  `from=${encodeURIComponent(q.from)}&to=${encodeURIComponent(q.to)}${q.storeId ? `&storeId=${encodeURIComponent(q.storeId)}` : ''}`;
export const analyticsApi = {
  dashboard: (q: { from: string; to: string; storeId?: string | undefined }) =>
    apiRequest<DashboardReport>('GET', `/analytics/dashboard?${dashboardQueryString(q)}`),
  csvPath: (q: { from: string; to: string; storeId?: string | undefined }) => `/analytics/dashboard.csv?${dashboardQueryString(q)}`,
};

export type { KeywordRuleView as KeywordRule };

// Official-account keyword rules (admins).
export const keywordRuleApi = {
  list: () => apiRequest('GET', '/admin/keyword-rules', { schema: keywordRuleListSchema }),
  create: (input: z.input<typeof createKeywordRuleSchema>) =>
    apiRequest('POST', '/admin/keyword-rules', { body: input, schema: keywordRuleViewSchema }),
  update: (id: string, change: UpdateKeywordRule) =>
    apiRequest('PATCH', `/admin/keyword-rules/${encodeURIComponent(id)}`, { body: change, schema: keywordRuleViewSchema }),
  remove: (id: string) => apiRequest<void>('DELETE', `/admin/keyword-rules/${encodeURIComponent(id)}`),
};

// Outreach (admins).
export const outreachApi = {
  create: (input: CreateOutreachRequest) => apiRequest('POST', '/admin/outreaches', { body: input, schema: outreachView }),
  get: (id: string) => apiRequest('GET', `/admin/outreaches/${encodeURIComponent(id)}`, { schema: outreachView }),
  preview: (id: string) => apiRequest('POST', `/admin/outreaches/${encodeURIComponent(id)}/preview`, { schema: outreachPreview }),
  send: (id: string) => apiRequest('POST', `/admin/outreaches/${encodeURIComponent(id)}/send`, { schema: outreachView }),
};

// Points exchange (members).
export type { PointsExchangeOffer, PointsExchangeOffers, PointsExchangeResult } from '@shared/pointsExchange';
export const exchangeApi = {
  offers: () => apiRequest<PointsExchangeOffers>('GET', '/points-exchange'),
  /** The same key for the same confirmation: a retried request exchanges once. */
  exchange: (campaignId: string, idempotencyKey: string) =>
    apiRequest<PointsExchangeResult>('POST', `/points-exchange/${encodeURIComponent(campaignId)}`, {
      headers: withIdempotencyKey(idempotencyKey),
    }),
  /** Records the subscribe-message templates the member accepted. */
  acceptSubscriptions: (templates: string[]) => apiRequest<{ accepted: number }>('POST', '/me/subscriptions', { body: { templates } }),
};

// The official account's custom menu (admins).
export const menuApi = {
  get: () => apiRequest<MenuState>('GET', '/admin/oa-menu'),
  save: (draft: MenuDraft) => apiRequest<MenuState>('PUT', '/admin/oa-menu', { body: draft }),
  publish: () => apiRequest<MenuState>('POST', '/admin/oa-menu/publish'),
};

// The engagement review: flagged claims, gifts, follows and clerks.
export const engagementApi = {
  queue: (status: ReviewStatus) =>
    apiRequest<ReviewListView>('GET', `/admin/engagement/review?status=${encodeURIComponent(status)}&limit=100`),
  decide: (flagId: string, decision: { action: 'confirm' | 'clear'; voidCoupon?: boolean }) =>
    apiRequest<{ flag: FlagView }>('POST', `/admin/engagement/review/${encodeURIComponent(flagId)}/decision`, { body: decision }),
};
// The social CRM: tags and segments (admins), the customer view and Today (store staff).
export type { CustomerBrief, CustomerView, SegmentCondition, SegmentCount, SegmentView, TagView, TodayItem, TodayKind, TodayView };
export interface TimelineEntry {
  id: string;
  at: string;
  type: string;
  channel: string;
  summary: string;
  storeId: string | null;
}
const storeQuery = (storeId: string | undefined, first = true) =>
  storeId ? `${first ? '?' : '&'}storeId=${encodeURIComponent(storeId)}` : '';
const customerPath = (id: string) => `/staff/customers/${encodeURIComponent(id)}`;
export const crmApi = {
  tags: () => apiRequest<{ items: TagView[] }>('GET', '/admin/crm/tags'),
  createTag: (input: CreateTagRequest) => apiRequest<TagView>('POST', '/admin/crm/tags', { body: input }),
  segments: () => apiRequest<{ items: SegmentView[] }>('GET', '/admin/crm/segments'),
  segment: (id: string) => apiRequest<{ segment: SegmentView } & SegmentCount>('GET', `/admin/crm/segments/${encodeURIComponent(id)}`),
  previewSegment: (conditions: SegmentCondition[]) =>
    apiRequest<SegmentCount>('POST', '/admin/crm/segments/preview', { body: { conditions } }),
  createSegment: (input: SegmentDefinition) => apiRequest<SegmentView>('POST', '/admin/crm/segments', { body: input }),

  staffTags: (storeId?: string) => apiRequest<{ items: Array<{ id: string; name: string }> }>('GET', `/staff/tags${storeQuery(storeId)}`),
  today: (storeId?: string) => apiRequest<TodayView>('GET', `/staff/today${storeQuery(storeId)}`),
  search: (q: string, storeId?: string) =>
    apiRequest<{ items: CustomerBrief[] }>('GET', `/staff/customers?q=${encodeURIComponent(q)}${storeQuery(storeId, false)}`),
  customer: (id: string, storeId?: string) => apiRequest<CustomerView>('GET', `${customerPath(id)}${storeQuery(storeId)}`),
  timeline: (id: string, storeId?: string, cursor?: string) =>
    apiRequest<{ items: TimelineEntry[]; nextCursor: string | null }>(
      'GET',
      `${customerPath(id)}/timeline?limit=20${storeQuery(storeId, false)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    ),
  addNote: (id: string, text: string, storeId?: string) =>
    apiRequest<{ text: string; at: string }>('POST', `${customerPath(id)}/notes`, { body: { text, ...(storeId ? { storeId } : {}) } }),
  addTag: (id: string, tagId: string, storeId?: string) =>
    apiRequest<{ id: string; name: string; kind: 'manual' | 'auto' }>('POST', `${customerPath(id)}/tags`, {
      body: { tagId, ...(storeId ? { storeId } : {}) },
    }),
  removeTag: (id: string, tagId: string, storeId?: string) =>
    apiRequest<void>('DELETE', `${customerPath(id)}/tags/${encodeURIComponent(tagId)}${storeQuery(storeId)}`),
};

/** The customer view's page, for a customer seen from a store (or by an admin, from none). */
export const customerPage = (id: string, storeId?: string | null) =>
  `/pages/staff/customer/index?id=${id}${storeId ? `&storeId=${storeId}` : ''}`;
