import { ErrorCode, type AnyErrorCode, type FieldIssue } from '@shared/errors';

/**
 * A business rule said no. Services throw these with a code from shared/errors.ts and know nothing of
 * HTTP: the one place that turns a code into a status is platform/http/errors.ts. Callers that must
 * react to a refusal test its code, never a status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: AnyErrorCode,
    message: string,
    readonly fields?: FieldIssue[],
    /** For a refusal that may pass later (busy): how many seconds the client should wait. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Whether `err` is a refusal with one of the given codes. */
export const isDomainError = (err: unknown, ...codes: AnyErrorCode[]): err is DomainError =>
  err instanceof DomainError && (codes.length === 0 || codes.includes(err.code));

export const badRequest = (message: string, fields?: FieldIssue[]) => new DomainError(ErrorCode.VALIDATION_FAILED, message, fields);
export const unauthenticated = (message = 'Sign in first.') => new DomainError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this.') => new DomainError(ErrorCode.FORBIDDEN, message);
export const notFound = (message = 'Not found.') => new DomainError(ErrorCode.NOT_FOUND, message);
/** A business conflict (409 at the HTTP edge) with its own code. */
export const conflict = (code: AnyErrorCode, message: string) => new DomainError(code, message);
/** Too much contention right now (a lock or a chain stayed busy): the caller may try again. */
export const busy = (message: string, retryAfterS = 1) => new DomainError(ErrorCode.SERVICE_UNAVAILABLE, message, undefined, retryAfterS);
