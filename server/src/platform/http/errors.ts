import type { ZodError } from 'zod';
import { ErrorCode, type FieldIssue } from '@shared/errors';

/** An error meant for the client: its status, code and message are shown as they are. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | string,
    message: string,
    readonly fields?: FieldIssue[],
    /** For a 429 or 503: how many seconds the client should wait (sent as Retry-After). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string, fields?: FieldIssue[]) =>
  new AppError(400, ErrorCode.VALIDATION_FAILED, message, fields);
export const unauthenticated = (message = 'Sign in first.') =>
  new AppError(401, ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You are not allowed to do this.') =>
  new AppError(403, ErrorCode.FORBIDDEN, message);
export const notFound = (message = 'Not found.') => new AppError(404, ErrorCode.NOT_FOUND, message);
export const conflict = (code: ErrorCode | string, message: string) => new AppError(409, code, message);

export function validationError(error: ZodError, where = 'body'): AppError {
  const fields = error.issues.map((issue) => ({
    path: [where, ...issue.path].join('.'),
    message: issue.message,
  }));
  const summary = fields
    .slice(0, 3)
    .map((f) => `${f.path}: ${f.message}`)
    .join('; ');
  return new AppError(400, ErrorCode.VALIDATION_FAILED, `Invalid request (${summary}).`, fields);
}
