import type { ZodError } from 'zod';
import {
  CouponErrorCode,
  ErrorCode,
  MemberErrorCode,
  OutreachErrorCode,
  TicketErrorCode,
  type AnyErrorCode,
  type FieldIssue,
} from '@shared/errors';
import { DomainError } from '../errors';

export { badRequest, busy, conflict, DomainError, forbidden, isDomainError, notFound, unauthenticated } from '../errors';

/** An error of the HTTP edge itself (a body too large, a bad media type): its status is its own. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: AnyErrorCode | string,
    message: string,
    readonly fields?: FieldIssue[],
    /** For a 429 or 503: how many seconds the client should wait (sent as Retry-After). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** The one place a domain error's code becomes an HTTP status. */
export const HTTP_STATUS: Record<AnyErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  OUT_OF_STOCK: 409,
  LIMIT_REACHED: 409,
  ALREADY_REDEEMED: 409,
  EXPIRED: 409,
  NOT_STARTED: 409,
  ENDED: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
  [MemberErrorCode.NOT_A_MEMBER]: 409,
  [MemberErrorCode.ALREADY_MEMBER]: 409,
  [MemberErrorCode.INSUFFICIENT_POINTS]: 409,
  [MemberErrorCode.INVALID_MEMBER_CODE]: 400,
  [MemberErrorCode.MEMBER_CODE_EXPIRED]: 400,
  [MemberErrorCode.INVALID_CONFIRMATION]: 400,
  ...Object.fromEntries(Object.values(CouponErrorCode).map((code) => [code, 409])),
  ...Object.fromEntries(Object.values(TicketErrorCode).map((code) => [code, 409])),
  ...Object.fromEntries(Object.values(OutreachErrorCode).map((code) => [code, 409])),
} as Record<AnyErrorCode, number>;

/**
 * Whether `err` is a business refusal answered with 409 (out of stock, not enough points, a limit):
 * for callers that settle on any refusal, whatever its code, rather than on one code.
 */
export const isConflict = (err: unknown): err is DomainError => err instanceof DomainError && HTTP_STATUS[err.code] === 409;

/** What the client is told about a failure: a DomainError by its code, an AppError as it is. */
export function toHttpError(err: DomainError | AppError): AppError {
  if (err instanceof AppError) return err;
  return new AppError(HTTP_STATUS[err.code] ?? 500, err.code, err.message, err.fields, err.retryAfterS);
}

export function validationError(error: ZodError, where = 'body'): DomainError {
  const fields = error.issues.map((issue) => ({
    path: [where, ...issue.path].join('.'),
    message: issue.message,
  }));
  const summary = fields
    .slice(0, 3)
    .map((f) => `${f.path}: ${f.message}`)
    .join('; ');
  return new DomainError(ErrorCode.VALIDATION_FAILED, `Invalid request (${summary}).`, fields);
}
