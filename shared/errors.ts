// Error codes of the HTTP contract: every non-2xx JSON answer is {"error":{"code","message"}}.
// Server and mini-program both switch on these, so they live here.
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_JSON: 'INVALID_JSON',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  LIMIT_REACHED: 'LIMIT_REACHED',
  ALREADY_REDEEMED: 'ALREADY_REDEEMED',
  EXPIRED: 'EXPIRED',
  NOT_STARTED: 'NOT_STARTED',
  ENDED: 'ENDED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

// Error codes of the member routes (beyond the common ones).
export const MemberErrorCode = {
  NOT_A_MEMBER: 'NOT_A_MEMBER',
  ALREADY_MEMBER: 'ALREADY_MEMBER',
  INSUFFICIENT_POINTS: 'INSUFFICIENT_POINTS',
  INVALID_MEMBER_CODE: 'INVALID_MEMBER_CODE',
  MEMBER_CODE_EXPIRED: 'MEMBER_CODE_EXPIRED',
  /** A deletion confirmation token that is unknown, used or expired. */
  INVALID_CONFIRMATION: 'INVALID_CONFIRMATION',
} as const;

/** Coupon-specific 409 codes beyond the shared ones (OUT_OF_STOCK, LIMIT_REACHED, ALREADY_REDEEMED, EXPIRED, NOT_STARTED, ENDED). */
export const CouponErrorCode = {
  NOT_CLAIMABLE: 'NOT_CLAIMABLE',
  NOT_USABLE_HERE: 'NOT_USABLE_HERE',
  THRESHOLD_NOT_MET: 'THRESHOLD_NOT_MET',
  COUPON_GIFTING: 'COUPON_GIFTING',
  COUPON_VOIDED: 'COUPON_VOIDED',
  GIFT_TAKEN: 'GIFT_TAKEN',
  GIFT_EXPIRED: 'GIFT_EXPIRED',
  OWN_GIFT: 'OWN_GIFT',
  VOID_WINDOW_PASSED: 'VOID_WINDOW_PASSED',
  ALREADY_VOIDED: 'ALREADY_VOIDED',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY_IN_PROGRESS',
  QR_TOKEN_EXPIRED: 'QR_TOKEN_EXPIRED',
  /** The campaign is limited to higher tiers than the member holds. */
  TIER_REQUIRED: 'TIER_REQUIRED',
  /** The coupon is a claim held for review: not usable until an admin clears it. */
  COUPON_UNDER_REVIEW: 'COUPON_UNDER_REVIEW',
} as const;

/** Codes of the 409s the ticket endpoints answer (beside the common ones). */
export const TicketErrorCode = {
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  TICKET_CHANGED: 'TICKET_CHANGED',
  REOPEN_WINDOW_PASSED: 'REOPEN_WINDOW_PASSED',
  TICKET_CLOSED: 'TICKET_CLOSED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  ALREADY_RATED: 'ALREADY_RATED',
} as const;

/** Codes of the 409s the outreach endpoints answer. */
export const OutreachErrorCode = {
  /** The audience has nobody in it. */
  AUDIENCE_UNAVAILABLE: 'AUDIENCE_UNAVAILABLE',
  /** Only a draft can be sent. */
  OUTREACH_NOT_DRAFT: 'OUTREACH_NOT_DRAFT',
} as const;

/** Every code an error answer may carry. */
export type AnyErrorCode =
  | ErrorCode
  | (typeof MemberErrorCode)[keyof typeof MemberErrorCode]
  | (typeof CouponErrorCode)[keyof typeof CouponErrorCode]
  | (typeof TicketErrorCode)[keyof typeof TicketErrorCode]
  | (typeof OutreachErrorCode)[keyof typeof OutreachErrorCode];

export interface FieldIssue {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: {
    code: AnyErrorCode | string;
    message: string;
    fields?: FieldIssue[];
  };
}
