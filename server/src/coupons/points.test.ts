import mongoose, { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUri } from '../../test/helpers';
import { earnPoints, joinMembership } from '../members';
import { earnForRedemption } from './points';

beforeAll(async () => {
  await mongoose.connect(testDatabaseUri());
  await mongoose.connection.syncIndexes();
});
afterAll(() => mongoose.disconnect());

const redemption = (customerId: Types.ObjectId, redemptionId = new Types.ObjectId()) => ({
  customerId,
  redemptionId,
  orderAmountFen: 12_345,
  storeId: new Types.ObjectId(),
});

describe('points for a redemption', () => {
  it('earns nothing, and fails nothing, for a customer who is not a member', async () => {
    expect(await earnForRedemption(redemption(new Types.ObjectId()))).toBe(0);
  });

  it('earns one point per yuan for a member', async () => {
    const member = new Types.ObjectId();
    await joinMembership(member, { termsVersion: '2026-01' });
    expect(await earnForRedemption(redemption(member))).toBe(123);
  });

  it('does not hide a real conflict as "not a member"', async () => {
    const [a, b] = [new Types.ObjectId(), new Types.ObjectId()];
    await joinMembership(a, { termsVersion: '2026-01' });
    await joinMembership(b, { termsVersion: '2026-01' });
    const redemptionId = new Types.ObjectId();
    // The redemption's reference is already on another member's ledger: a conflict, not a non-member.
    await earnPoints(b, 5, 'other', `coupon-redemption:${redemptionId}`);
    await expect(earnForRedemption(redemption(a, redemptionId))).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
