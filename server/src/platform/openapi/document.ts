// The machine-readable description of /api/v1, generated from the shared zod schemas (the same
// ones the routes validate with), for the integrators who connect a POS or an e-commerce back end.
// Every route the server registers under /api/v1 has an entry below; a test checks that none is
// missing and that every example body passes its schema.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from 'zod';
import { loginRequest, loginResponse } from '@shared/api/auth';
import { CRM_API_ROUTES } from './crm';
import { pageQuery } from '@shared/api/common';
import { dashboardQuery } from '@shared/api/analytics';
import {
  MEMBERSHIP_TERMS_VERSION,
  adjustPointsRequest,
  identifyRequest,
  joinRequest,
  subscriptionsRequest,
  SUBSCRIBE_TEMPLATES,
  ledgerEntry,
  memberCodeResponse,
  memberState,
  memberSummary,
  meResponse,
  pointsPage,
} from '@shared/api/members';
import { complaintModelInfo, complaintScoresQuery, labelComplaintRequest, retrainResponse, scoredMessage } from '@shared/api/complaints';
import { createOutreachRequest, outreachList, outreachPreview, outreachView, recipientPage, recipientsQuery } from '@shared/api/outreach';
import { DEVICE_HEADER, deviceIdSchema, reviewDecisionSchema, reviewQuerySchema } from '@shared/engagement';
import { deletionConfirmRequest, deletionStartResponse, exportResponse, profile, updateProfileRequest } from '@shared/api/privacy';
import {
  createStoreRequest,
  grantStaffRequest,
  staffGrant,
  staffList,
  staffListQuery,
  store,
  storeList,
  updateStoreRequest,
} from '@shared/api/stores';
import {
  COUPON_STATES,
  acceptGiftSchema,
  createCampaignSchema,
  funnelQuerySchema,
  idempotencyKeySchema,
  previewSchema,
  redeemSchema,
  updateCampaignSchema,
} from '@shared/coupons';
import { createKeywordRuleSchema, keywordRuleListSchema, keywordRuleViewSchema, updateKeywordRuleSchema } from '@shared/officialAccount';
import {
  createTicketSchema,
  inboxQuerySchema,
  rateTicketSchema,
  setPrioritySchema,
  ticketMessageSchema,
  transitionTicketSchema,
} from '@shared/tickets';

export const API_PREFIX = '/api/v1';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** Who may call: anyone, any signed-in customer, staff of the store acted for, a store manager, the brand's admin. */
type Access = 'public' | 'customer' | 'staff' | 'manager' | 'admin';

export interface ApiRoute {
  method: Method;
  /** Koa-style path under /api/v1, e.g. `/campaigns/:id/claim`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: ZodType;
  /** A request body that passes `body` (checked by a test, shown in the document). */
  example?: unknown;
  /** Set for bodies that are not JSON (photo uploads). */
  bodyContentType?: string;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** Success status and its body; undefined schema means no body (204) or a binary one. */
  success: { status: number; schema?: ZodType; description: string; contentType?: string };
  /** Business conflicts and other non-generic errors this route answers. */
  errors?: number[];
}

// Responses the shared package types only as TypeScript interfaces (views grow with the modules):
// described as open objects, named after their type in shared/.
const view = (name: string, description: string) => z.object({}).catchall(z.unknown()).meta({ id: name, description });
const campaignView = view('CampaignView', 'A coupon campaign (shared/coupons.ts CampaignView).');
const couponView = view('CouponView', 'A coupon as its holder sees it (shared/coupons.ts CouponView).');
const redemptionView = view('RedemptionView', 'A redemption at a till (shared/coupons.ts RedemptionView).');
const redemptionPreview = view('RedemptionPreview', 'What a redemption would do (shared/coupons.ts RedemptionPreview).');
const dashboardReportView = view('DashboardReport', 'The analytics dashboard (shared/api/analytics.ts DashboardReport).');
const funnelReport = view('FunnelReport', 'Claimed → gifted → redeemed by channel, store and staff (shared/coupons.ts FunnelReport).');
const ticketView = view('TicketView', 'An after-sale ticket as the caller may see it, with the actions open to them.');
const ticketMessage = view('TicketMessageView', 'One message on a ticket.');
const ticketPhoto = view('TicketPhotoView', 'An uploaded photo of a ticket (id, size, type, URL).');
const notifications = view('StaffNotifications', "The staff inbox's counts and newest events.");
const items = (schema: ZodType) => z.object({ items: z.array(schema) });
const adjustmentRequest = view('PointsAdjustmentRequest', 'A points adjustment above the cap, held for an admin (shared/api/members.ts).');
const exchangeOffers = view(
  'PointsExchangeOffers',
  'The campaigns that can be bought with points, and the balance (shared/pointsExchange.ts).',
);
const exchangeView = view('PointsExchangeView', 'One points exchange and what it came to (shared/pointsExchange.ts).');
const exchangeResult = view('PointsExchangeResult', 'The exchange, the coupon it issued and the balance after it.');
const menuState = view('OaMenuState', "The official account's saved menu draft and what was last published.");
const menuDraft = view(
  'OaMenuDraft',
  'A custom menu: up to three entries, each an action or a group of up to five (shared/officialAccount.ts).',
);
const liveMenu = view('OaLiveMenu', 'The menu the official account platform shows now.');
const coupon = z.object({ coupon: couponView });
const tokenWithExpiry = z.object({ token: z.string(), expiresAt: z.string() });

const id = '64b7f0c2a1b2c3d4e5f60718';

export const API_ROUTES: ApiRoute[] = [
  // Sessions
  {
    method: 'post',
    path: '/auth/login',
    tag: 'auth',
    access: 'public',
    summary: 'Sign in with a wx.login code',
    body: loginRequest,
    example: { code: '0a3Xk2000abcDE1mN5300Zq1Xk1Xk20Q' },
    success: { status: 200, schema: loginResponse, description: 'A bearer token and the customer' },
    errors: [429],
  },
  {
    method: 'post',
    path: '/auth/logout',
    tag: 'auth',
    access: 'customer',
    summary: 'Revoke the token sent with the request',
    success: { status: 204, description: 'Signed out' },
  },

  // Members and privacy
  {
    method: 'get',
    path: '/me',
    tag: 'members',
    access: 'customer',
    summary: 'The signed-in customer, membership and roles',
    success: { status: 200, schema: meResponse, description: 'Me' },
  },
  {
    method: 'post',
    path: '/members/join',
    tag: 'members',
    access: 'customer',
    summary: 'Join as a member (accepting the terms)',
    body: joinRequest,
    example: { acceptTerms: true, termsVersion: MEMBERSHIP_TERMS_VERSION },
    success: { status: 201, schema: memberState, description: 'The membership' },
    errors: [409],
  },
  {
    method: 'get',
    path: '/me/points',
    tag: 'members',
    access: 'customer',
    summary: 'Points balance and ledger, newest first',
    query: pageQuery,
    success: { status: 200, schema: pointsPage, description: 'A page of ledger entries' },
  },
  {
    method: 'get',
    path: '/me/member-code',
    tag: 'members',
    access: 'customer',
    summary: 'A member code to show in store (valid for 60 s)',
    success: { status: 200, schema: memberCodeResponse, description: 'The code' },
    errors: [409],
  },
  {
    method: 'post',
    path: '/staff/members/identify',
    tag: 'members',
    access: 'staff',
    summary: 'Identify a member by the code they show',
    body: identifyRequest,
    example: { code: '1234 5678 9012 3456 7890 1234' },
    success: { status: 200, schema: memberSummary, description: 'The member' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/staff/points/adjust',
    tag: 'members',
    access: 'staff',
    summary: 'Add or take points (once per refKey)',
    body: adjustPointsRequest,
    example: { customerId: id, points: 200, reason: 'Goodwill after a late delivery', refKey: 'ticket-7781' },
    success: { status: 201, schema: ledgerEntry, description: 'The ledger entry (200 when the refKey was applied before)' },
    errors: [409],
  },
  {
    method: 'post',
    path: '/me/subscriptions',
    tag: 'members',
    access: 'customer',
    summary: 'Record subscribe-message templates the member accepted',
    body: subscriptionsRequest,
    example: { templates: [SUBSCRIBE_TEMPLATES.birthdayGift] },
    success: { status: 201, schema: z.object({ accepted: z.unknown() }), description: 'What was recorded' },
  },
  {
    method: 'get',
    path: '/admin/points/adjustments',
    tag: 'members',
    access: 'admin',
    summary: 'Points adjustments above the cap waiting for an admin',
    success: { status: 200, schema: items(adjustmentRequest), description: 'The pending requests' },
  },
  {
    method: 'post',
    path: '/admin/points/adjustments/:id/approve',
    tag: 'members',
    access: 'admin',
    summary: 'Approve a held adjustment (someone other than the requester)',
    success: { status: 201, schema: ledgerEntry, description: 'The ledger entry (200 when it was applied before)' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/admin/points/adjustments/:id/reject',
    tag: 'members',
    access: 'admin',
    summary: 'Reject a held adjustment',
    success: { status: 200, schema: adjustmentRequest, description: 'The request' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/points-exchange',
    tag: 'members',
    access: 'customer',
    summary: 'Campaigns the member can buy with points',
    success: { status: 200, schema: exchangeOffers, description: 'The offers and the balance' },
  },
  {
    method: 'get',
    path: '/points-exchange/history',
    tag: 'members',
    access: 'customer',
    summary: "The member's points exchanges, newest first",
    success: { status: 200, schema: items(exchangeView), description: 'The exchanges' },
  },
  {
    method: 'post',
    path: '/points-exchange/:campaignId',
    tag: 'members',
    access: 'customer',
    summary: 'Spend points on a coupon (once per Idempotency-Key)',
    headers: z.object({ 'idempotency-key': idempotencyKeySchema.optional() }),
    success: { status: 201, schema: exchangeResult, description: 'The exchange (200 when the key was used before)' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/me/profile',
    tag: 'privacy',
    access: 'customer',
    summary: 'The profile the customer keeps',
    success: { status: 200, schema: profile, description: 'The profile' },
  },
  {
    method: 'patch',
    path: '/me/profile',
    tag: 'privacy',
    access: 'customer',
    summary: 'Change the profile (null clears a field)',
    body: updateProfileRequest,
    example: { name: '林小姐', birthday: '1990-04-12', preferences: ['tea'] },
    success: { status: 200, schema: profile, description: 'The profile' },
  },
  {
    method: 'get',
    path: '/me/export',
    tag: 'privacy',
    access: 'customer',
    summary: 'Everything held about the customer',
    success: { status: 200, schema: exportResponse, description: 'The export' },
  },
  {
    method: 'post',
    path: '/me/deletion',
    tag: 'privacy',
    access: 'customer',
    summary: 'Start deleting the account',
    success: { status: 201, schema: deletionStartResponse, description: 'A confirmation token' },
  },
  {
    method: 'post',
    path: '/me/deletion/confirm',
    tag: 'privacy',
    access: 'customer',
    summary: 'Confirm the deletion: personal data erased, sessions revoked',
    body: deletionConfirmRequest,
    example: { token: 'b3f1c9d2e8a74b6f' },
    success: { status: 204, description: 'Deleted' },
    errors: [409],
  },

  // Stores and staff
  {
    method: 'post',
    path: '/admin/stores',
    tag: 'stores',
    access: 'admin',
    summary: 'Create a store',
    body: createStoreRequest,
    example: { name: '徐汇店', code: 'SH-001', city: '上海' },
    success: { status: 201, schema: store, description: 'The store' },
    errors: [409],
  },
  {
    method: 'patch',
    path: '/admin/stores/:id',
    tag: 'stores',
    access: 'admin',
    summary: 'Change a store',
    body: updateStoreRequest,
    example: { active: false },
    success: { status: 200, schema: store, description: 'The store' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/admin/stores',
    tag: 'stores',
    access: 'manager',
    summary: 'Stores (all for the admin, their own for a manager)',
    success: { status: 200, schema: storeList, description: 'Stores' },
  },
  {
    method: 'post',
    path: '/admin/staff',
    tag: 'stores',
    access: 'manager',
    summary: 'Make someone a clerk or manager of a store',
    body: grantStaffRequest,
    example: { openid: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M', role: 'clerk', storeId: id },
    success: { status: 201, schema: staffGrant, description: 'The grant' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/admin/staff',
    tag: 'stores',
    access: 'manager',
    summary: 'Staff grants, optionally of one store',
    query: staffListQuery,
    success: { status: 200, schema: staffList, description: 'Grants' },
  },
  {
    method: 'delete',
    path: '/admin/staff/:id',
    tag: 'stores',
    access: 'manager',
    summary: 'Revoke a grant',
    success: { status: 204, description: 'Revoked' },
    errors: [404],
  },

  // Coupons
  {
    method: 'post',
    path: '/admin/campaigns',
    tag: 'coupons',
    access: 'admin',
    summary: 'Create a coupon campaign',
    body: createCampaignSchema,
    example: {
      name: '满100减20',
      type: 'cash',
      valueFen: 2000,
      thresholdFen: 10000,
      stock: 500,
      perUserLimit: 1,
      validity: { kind: 'days', days: 30 },
    },
    success: { status: 201, schema: campaignView, description: 'The campaign' },
  },
  {
    method: 'get',
    path: '/admin/campaigns',
    tag: 'coupons',
    access: 'admin',
    summary: 'Every campaign with its counts',
    success: { status: 200, schema: items(campaignView), description: 'Campaigns' },
  },
  {
    method: 'get',
    path: '/admin/campaigns/:id',
    tag: 'coupons',
    access: 'admin',
    summary: 'One campaign with its counts',
    success: { status: 200, schema: campaignView, description: 'The campaign' },
    errors: [404],
  },
  {
    method: 'patch',
    path: '/admin/campaigns/:id',
    tag: 'coupons',
    access: 'admin',
    summary: 'Pause, resume, end or restock a campaign',
    body: updateCampaignSchema,
    example: { status: 'paused' },
    success: { status: 200, schema: campaignView, description: 'The campaign' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/analytics/dashboard',
    tag: 'analytics',
    access: 'manager',
    summary:
      'The dashboard over a date range: interactions, members, coupons and money, service (admins: all stores or one; managers: their store)',
    query: dashboardQuery,
    success: { status: 200, schema: dashboardReportView, description: 'The dashboard' },
    errors: [],
  },
  {
    method: 'get',
    path: '/analytics/dashboard.csv',
    tag: 'analytics',
    access: 'manager',
    summary: 'The same dashboard as CSV',
    query: dashboardQuery,
    success: { status: 200, description: 'The dashboard as CSV', contentType: 'text/csv' },
    errors: [],
  },
  {
    method: 'get',
    path: '/admin/reports/funnel',
    tag: 'coupons',
    access: 'admin',
    summary: "A campaign's funnel",
    query: funnelQuerySchema,
    success: { status: 200, schema: funnelReport, description: 'The funnel' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/campaigns',
    tag: 'coupons',
    access: 'customer',
    summary: 'Campaigns claimable now in the mini-program',
    success: { status: 200, schema: items(campaignView), description: 'Campaigns' },
  },
  {
    method: 'post',
    path: '/campaigns/:id/claim',
    tag: 'coupons',
    access: 'customer',
    summary:
      'Claim a coupon (Idempotency-Key makes retries safe); 202 with underReview when the campaign holds a suspicious claim for review',
    headers: z.object({ 'idempotency-key': idempotencyKeySchema.optional(), [DEVICE_HEADER]: deviceIdSchema.optional() }),
    success: { status: 201, schema: coupon, description: 'The new coupon (202: the claim is held for review)' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/coupons',
    tag: 'coupons',
    access: 'customer',
    summary: "The customer's coupons",
    query: z.object({ state: z.enum(COUPON_STATES).optional() }),
    success: { status: 200, schema: items(couponView), description: 'Coupons' },
  },
  {
    method: 'get',
    path: '/coupons/:id',
    tag: 'coupons',
    access: 'customer',
    summary: 'One of my coupons',
    success: { status: 200, schema: coupon, description: 'The coupon' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/coupons/:id/qr-token',
    tag: 'coupons',
    access: 'customer',
    summary: 'A short-lived token for the coupon QR code',
    success: { status: 200, schema: tokenWithExpiry, description: 'The token' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/coupons/:id/gift',
    tag: 'coupons',
    access: 'customer',
    summary: 'Offer a coupon to a friend',
    success: { status: 201, schema: tokenWithExpiry.extend({ coupon: couponView }), description: 'The gift link token' },
    errors: [404, 409],
  },
  {
    method: 'delete',
    path: '/coupons/:id/gift',
    tag: 'coupons',
    access: 'customer',
    summary: 'Take back a gift not yet accepted',
    success: { status: 200, schema: coupon, description: 'The coupon' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/gifts/accept',
    tag: 'coupons',
    access: 'customer',
    summary: 'Accept a gifted coupon',
    body: acceptGiftSchema,
    example: { token: 'gq2m7YbJk1xW0pR9tV4nLc' },
    success: { status: 200, schema: coupon, description: 'The coupon, now mine' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/staff/redemptions/preview',
    tag: 'coupons',
    access: 'staff',
    summary: 'What redeeming a coupon would do',
    body: previewSchema,
    example: { code: 'LPK7-Q2MX-9RTA-WC3D', orderAmountFen: 12800 },
    success: { status: 200, schema: redemptionPreview, description: 'The preview' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/staff/redemptions',
    tag: 'coupons',
    access: 'staff',
    summary: 'Redeem a coupon by code or scanned token (exactly once)',
    body: redeemSchema,
    example: { code: 'LPK7-Q2MX-9RTA-WC3D', orderAmountFen: 12800, storeId: id },
    success: { status: 201, schema: z.object({ redemption: redemptionView, coupon: couponView }), description: 'The redemption' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/staff/redemptions/today',
    tag: 'coupons',
    access: 'staff',
    summary: "The clerk's redemptions today",
    query: z.object({ storeId: z.string().optional() }),
    success: { status: 200, schema: items(redemptionView), description: 'Redemptions' },
  },
  {
    method: 'post',
    path: '/staff/redemptions/:id/void',
    tag: 'coupons',
    access: 'manager',
    summary: 'Void a redemption within 10 minutes',
    success: { status: 200, schema: z.object({ redemption: redemptionView, coupon: couponView }), description: 'The voided redemption' },
    errors: [404, 409],
  },

  // After-sale
  {
    method: 'post',
    path: '/tickets',
    tag: 'aftersale',
    access: 'customer',
    summary: 'File an after-sale ticket',
    body: createTicketSchema,
    example: {
      storeId: id,
      type: 'return_refund',
      orderRef: 'SO-20260301-0042',
      description: '收到的杯子有裂纹',
      contact: { preference: 'phone', phone: '13800138000' },
    },
    success: { status: 201, schema: ticketView, description: 'The ticket' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/aftersale/stores',
    tag: 'aftersale',
    access: 'customer',
    summary: 'Stores a ticket can be filed with',
    success: {
      status: 200,
      schema: items(z.object({ id: z.string(), name: z.string(), city: z.string().nullable() })),
      description: 'Stores',
    },
  },
  {
    method: 'get',
    path: '/tickets',
    tag: 'aftersale',
    access: 'customer',
    summary: "The customer's tickets",
    success: { status: 200, schema: items(ticketView), description: 'Tickets' },
  },
  {
    method: 'get',
    path: '/tickets/:id',
    tag: 'aftersale',
    access: 'customer',
    summary: 'One ticket (its customer, its store staff, the admin)',
    success: { status: 200, schema: ticketView, description: 'The ticket' },
    errors: [403, 404],
  },
  {
    method: 'post',
    path: '/tickets/:id/transitions',
    tag: 'aftersale',
    access: 'customer',
    summary: 'Move a ticket along its state machine',
    body: transitionTicketSchema,
    example: { action: 'resolve', resolution: 'Refunded in full' },
    success: { status: 200, schema: ticketView, description: 'The ticket' },
    errors: [403, 404, 409],
  },
  {
    method: 'get',
    path: '/tickets/:id/messages',
    tag: 'aftersale',
    access: 'customer',
    summary: "A ticket's conversation",
    success: { status: 200, schema: items(ticketMessage), description: 'Messages' },
    errors: [403, 404],
  },
  {
    method: 'post',
    path: '/tickets/:id/messages',
    tag: 'aftersale',
    access: 'customer',
    summary: 'Write on a ticket (customer or staff; once per idempotencyKey)',
    body: ticketMessageSchema,
    example: { text: '已为您安排退款', idempotencyKey: 'msg-4f1c2a9b' },
    success: { status: 201, schema: ticketMessage, description: 'The message (200 when the key was used before)' },
    errors: [403, 404, 409],
  },
  {
    method: 'post',
    path: '/tickets/:id/rating',
    tag: 'aftersale',
    access: 'customer',
    summary: 'Rate a resolved ticket',
    body: rateTicketSchema,
    example: { stars: 5, comment: '处理很快' },
    success: { status: 200, schema: ticketView, description: 'The ticket' },
    errors: [403, 404, 409],
  },
  {
    method: 'get',
    path: '/staff/tickets',
    tag: 'aftersale',
    access: 'staff',
    summary: "A store's ticket inbox with SLA badges",
    query: inboxQuerySchema,
    success: { status: 200, schema: view('StaffInbox', "A store's tickets with SLA badges."), description: 'The inbox' },
  },
  {
    method: 'get',
    path: '/staff/notifications',
    tag: 'aftersale',
    access: 'staff',
    summary: "The staff member's notifications",
    query: inboxQuerySchema,
    success: { status: 200, schema: notifications, description: 'Notifications' },
  },
  {
    method: 'post',
    path: '/staff/tickets/:id/priority',
    tag: 'aftersale',
    access: 'staff',
    summary: "Set a ticket's priority",
    body: setPrioritySchema,
    example: { priority: 'urgent' },
    success: { status: 200, schema: ticketView, description: 'The ticket' },
    errors: [403, 404],
  },
  {
    method: 'post',
    path: '/tickets/:id/photos',
    tag: 'aftersale',
    access: 'customer',
    summary: 'Upload a photo (multipart/form-data or an image body)',
    bodyContentType: 'multipart/form-data',
    success: { status: 201, schema: ticketPhoto, description: 'The photo' },
    errors: [403, 404, 409, 413, 415],
  },
  {
    method: 'get',
    path: '/tickets/:id/photos',
    tag: 'aftersale',
    access: 'customer',
    summary: "A ticket's photos",
    success: { status: 200, schema: items(ticketPhoto), description: 'Photos' },
    errors: [403, 404],
  },
  {
    method: 'get',
    path: '/tickets/:id/photos/:photoId',
    tag: 'aftersale',
    access: 'customer',
    summary: 'The image itself',
    success: { status: 200, description: 'The image bytes', contentType: 'image/*' },
    errors: [403, 404],
  },

  // Official account
  {
    method: 'get',
    path: '/admin/keyword-rules',
    tag: 'official account',
    access: 'admin',
    summary: 'Keyword reply rules, highest priority first',
    success: { status: 200, schema: keywordRuleListSchema, description: 'Rules' },
  },
  {
    method: 'post',
    path: '/admin/keyword-rules',
    tag: 'official account',
    access: 'admin',
    summary: 'Add a keyword reply rule',
    body: createKeywordRuleSchema,
    example: { name: 'opening hours', match: 'contains', pattern: '营业时间', reply: { type: 'text', content: '每天 10:00–22:00' } },
    success: { status: 201, schema: keywordRuleViewSchema, description: 'The rule' },
    errors: [409],
  },
  {
    method: 'patch',
    path: '/admin/keyword-rules/:id',
    tag: 'official account',
    access: 'admin',
    summary: 'Change a keyword reply rule',
    body: updateKeywordRuleSchema,
    example: { enabled: false },
    success: { status: 200, schema: keywordRuleViewSchema, description: 'The rule' },
    errors: [404, 409],
  },
  {
    method: 'delete',
    path: '/admin/keyword-rules/:id',
    tag: 'official account',
    access: 'admin',
    summary: 'Delete a keyword reply rule',
    success: { status: 204, description: 'Deleted' },
    errors: [404],
  },

  {
    method: 'get',
    path: '/admin/outreaches',
    tag: 'outreach',
    access: 'admin',
    summary: 'Outreaches, newest first, with their progress',
    success: { status: 200, schema: outreachList, description: 'Outreaches' },
  },
  {
    method: 'post',
    path: '/admin/outreaches',
    tag: 'outreach',
    access: 'admin',
    summary: 'Compose an outreach (a draft) to listed customers or a segment',
    body: createOutreachRequest,
    example: { name: 'Weekend offer', text: '周末全场 8 折', audience: { kind: 'customers', customerIds: [id] } },
    success: { status: 201, schema: outreachView, description: 'The draft' },
  },
  {
    method: 'get',
    path: '/admin/outreaches/:id',
    tag: 'outreach',
    access: 'admin',
    summary: 'One outreach and its progress (counts by status, skips by reason)',
    success: { status: 200, schema: outreachView, description: 'The outreach' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/admin/outreaches/:id/preview',
    tag: 'outreach',
    access: 'admin',
    summary: 'Who would get a customer-service or subscribe message, and who would be skipped why',
    success: { status: 200, schema: outreachPreview, description: 'The preview' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/admin/outreaches/:id/send',
    tag: 'outreach',
    access: 'admin',
    summary: 'Start sending a draft (a resumable job; each customer at most once)',
    success: { status: 202, schema: outreachView, description: 'Sending' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/admin/outreaches/:id/recipients',
    tag: 'outreach',
    access: 'admin',
    summary: "Recipients' results (sent, failed with errcode, skipped with reason), paged",
    query: recipientsQuery,
    success: { status: 200, schema: recipientPage, description: 'Recipients' },
    errors: [404],
  },

  {
    method: 'get',
    path: '/admin/oa-menu',
    tag: 'official account',
    access: 'admin',
    summary: 'The saved menu draft and the last publication',
    success: { status: 200, schema: menuState, description: 'The menu state' },
  },
  {
    method: 'put',
    path: '/admin/oa-menu',
    tag: 'official account',
    access: 'admin',
    summary: 'Save the menu draft',
    body: menuDraft,
    example: { entries: [{ type: 'click', name: '会员中心', key: 'MEMBER' }] },
    success: { status: 200, schema: menuState, description: 'The menu state' },
  },
  {
    method: 'post',
    path: '/admin/oa-menu/publish',
    tag: 'official account',
    access: 'admin',
    summary: 'Publish the saved draft to the official account',
    success: { status: 200, schema: menuState, description: 'The menu state' },
    errors: [409, 422, 503],
  },
  {
    method: 'get',
    path: '/admin/oa-menu/live',
    tag: 'official account',
    access: 'admin',
    summary: 'The menu the platform shows now',
    success: { status: 200, schema: z.object({ menu: liveMenu.nullable() }), description: 'The live menu' },
    errors: [503],
  },
  {
    method: 'delete',
    path: '/admin/oa-menu/live',
    tag: 'official account',
    access: 'admin',
    summary: 'Remove the menu from the official account',
    success: { status: 204, description: 'Removed' },
    errors: [503],
  },

  // Complaint detection
  {
    method: 'get',
    path: '/staff/complaint-scores',
    tag: 'aftersale',
    access: 'staff',
    summary: 'Customer messages scored as complaints, for a store',
    query: complaintScoresQuery,
    success: { status: 200, schema: items(scoredMessage), description: 'The scored messages' },
  },
  {
    method: 'post',
    path: '/staff/complaint-scores/:id/label',
    tag: 'aftersale',
    access: 'staff',
    summary: 'Label a scored message as a complaint or not',
    body: labelComplaintRequest,
    example: { complaint: true },
    success: { status: 200, schema: scoredMessage, description: 'The scored message' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/admin/complaint-model',
    tag: 'aftersale',
    access: 'admin',
    summary: 'The complaint model in use',
    success: { status: 200, schema: complaintModelInfo, description: 'The model' },
  },
  {
    method: 'post',
    path: '/admin/complaint-model/retrain',
    tag: 'aftersale',
    access: 'admin',
    summary: 'Retrain the complaint model with the staff labels',
    success: { status: 200, schema: retrainResponse, description: 'The model now in use' },
  },

  // This document
  ...CRM_API_ROUTES,
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'meta',
    access: 'public',
    summary: 'This description of the API (OpenAPI 3.1)',
    success: { status: 200, schema: z.object({ openapi: z.string() }).catchall(z.unknown()), description: 'The OpenAPI document' },
  },
  // Engagement review
  {
    method: 'get',
    path: '/admin/engagement/review',
    tag: 'engagement',
    access: 'admin',
    summary: 'Flagged claims, gifts, follows and clerks, with the reasons (the review queue)',
    query: reviewQuerySchema,
    success: {
      status: 200,
      schema: view('ReviewListView', 'Flags and counts per status (shared/engagement.ts).'),
      description: 'The queue',
    },
  },
  {
    method: 'post',
    path: '/admin/engagement/review/:id/decision',
    tag: 'engagement',
    access: 'admin',
    summary:
      'Confirm a flag (a held claim is refused and its stock place returns; optionally void the coupon) or clear it (a held claim is issued)',
    body: reviewDecisionSchema,
    example: { action: 'confirm', voidCoupon: true },
    success: {
      status: 200,
      schema: z.object({ flag: view('FlagView', 'One flag (shared/engagement.ts).') }),
      description: 'The decided flag',
    },
    errors: [404, 409],
  },
];

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'UPPER_SNAKE error code, e.g. VALIDATION_FAILED, OUT_OF_STOCK' }),
      message: z.string(),
      fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

const ERROR_TEXT: Record<number, string> = {
  400: 'VALIDATION_FAILED (with the field paths) or INVALID_JSON',
  401: 'No valid bearer token',
  403: 'Signed in, but not allowed to do this',
  404: 'No such record',
  409: 'A business conflict (OUT_OF_STOCK, LIMIT_REACHED, ALREADY_REDEEMED, EXPIRED, …)',
  413: 'The body is too large',
  415: 'Unsupported content type',
  429: 'Too many requests',
  503: 'The database is briefly unavailable, or this instance is stopping: retry',
};

/** `/campaigns/:id/claim` → `/campaigns/{id}/claim`. */
export const openApiPath = (koaPath: string) => koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const ACCESS_TEXT: Record<Access, string> = {
  public: 'No sign-in needed.',
  customer: 'Any signed-in customer (bearer token); records are limited to what the caller may see.',
  staff: 'A clerk or manager of the store acted for (storeId, or their only store), or the admin.',
  manager: 'A store manager (their stores) or the admin.',
  admin: "The brand's admin.",
};

/** Builds the document (OpenAPI 3.1). */
export function buildOpenApiDocument(version: string): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'The token from POST /api/v1/auth/login.',
  });

  for (const route of API_ROUTES) {
    const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
    const errors = [
      ...new Set([...(route.body ? [400] : []), ...(route.access === 'public' ? [] : [401, 403]), ...(route.errors ?? []), 503]),
    ].sort();
    registry.registerPath({
      method: route.method,
      path: API_PREFIX + openApiPath(route.path),
      summary: route.summary,
      description: ACCESS_TEXT[route.access],
      tags: [route.tag],
      ...(route.access === 'public' ? {} : { security: [{ [bearer.name]: [] }] }),
      request: {
        ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.headers ? { headers: route.headers } : {}),
        ...(route.body
          ? {
              body: {
                required: true,
                content: { 'application/json': { schema: route.body, ...(route.example === undefined ? {} : { example: route.example }) } },
              },
            }
          : route.bodyContentType
            ? {
                body: {
                  required: true,
                  content: { [route.bodyContentType]: { schema: z.object({ file: z.string().meta({ format: 'binary' }) }) } },
                },
              }
            : {}),
      },
      responses: {
        [route.success.status]: {
          description: route.success.description,
          ...(route.success.schema
            ? { content: { 'application/json': { schema: route.success.schema } } }
            : route.success.contentType
              ? { content: { [route.success.contentType]: { schema: z.string().meta({ format: 'binary' }) } } }
              : {}),
        },
        ...Object.fromEntries(
          errors.map((status) => [
            status,
            { description: ERROR_TEXT[status] ?? 'Error', content: { 'application/json': { schema: errorBody } } },
          ]),
        ),
      },
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Loopline API',
      version,
      description:
        'Membership, coupons and after-sale for a brand inside WeChat. Errors are `{"error":{"code","message"}}` with the HTTP status. ' +
        'Generated from the zod schemas the server validates with.',
    },
    servers: [{ url: '/' }],
  });
}
