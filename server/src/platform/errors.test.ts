import { describe, expect, it } from 'vitest';
import { CouponErrorCode, ErrorCode, MemberErrorCode, TicketErrorCode } from '@shared/errors';
import { conflict, DomainError, isDomainError, notFound } from './errors';
import { HTTP_STATUS, toHttpError } from './http/errors';

describe('domain errors', () => {
  it('maps every code of shared/errors.ts to an HTTP status, in one table', () => {
    const codes = [ErrorCode, MemberErrorCode, CouponErrorCode, TicketErrorCode].flatMap((group) => Object.values(group));
    for (const code of codes) expect(HTTP_STATUS[code], code).toBeGreaterThanOrEqual(400);
    expect(toHttpError(conflict(ErrorCode.OUT_OF_STOCK, 'gone')).status).toBe(409);
    expect(toHttpError(notFound()).status).toBe(404);
    expect(toHttpError(new DomainError(MemberErrorCode.INVALID_CONFIRMATION, 'x')).status).toBe(400);
  });

  it('carries no HTTP status: callers tell refusals apart by code', () => {
    const err = conflict(MemberErrorCode.NOT_A_MEMBER, 'Join first.');
    expect('status' in err).toBe(false);
    expect(isDomainError(err, MemberErrorCode.NOT_A_MEMBER)).toBe(true);
    expect(isDomainError(err, ErrorCode.CONFLICT)).toBe(false);
    expect(isDomainError(new Error('x'))).toBe(false);
  });
});
