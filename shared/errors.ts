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

export interface FieldIssue {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: {
    code: ErrorCode | string;
    message: string;
    fields?: FieldIssue[];
  };
}
