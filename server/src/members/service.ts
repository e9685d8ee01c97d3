import { randomInt } from 'node:crypto';
import type { Types } from 'mongoose';
import { MemberErrorCode, type MemberState, type MemberSummary } from '@shared/api/members';
import { nextTier, tierById, tierFor, type Tier, type TierId } from '@shared/tiers';
import { appendTimeline, getCustomer } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { busy, conflict } from '../platform/errors';
import { Member, type MemberDoc } from './model';
import { earnedInWindow, pointsBalance } from './points';

export { adjustPoints, earnPoints, findLedgerEntry, pointsBalance, refundPoints, reversePoints, spendPoints } from './points';

export async function getMember(customerId: Types.ObjectId): Promise<MemberDoc | null> {
  return Member.findOne({ customerId, closedAt: { $exists: false } }).lean<MemberDoc>();
}

export async function findMemberByNo(memberNo: string): Promise<MemberDoc | null> {
  return Member.findOne({ memberNo, closedAt: { $exists: false } }).lean<MemberDoc>();
}

export const maskPhone = (phone: string | null | undefined): string | null =>
  phone ? (phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****') : null;

export interface JoinInput {
  termsVersion: string;
  /** Already resolved from a getPhoneNumber code. */
  phone?: string | undefined;
  at?: Date;
}

/** Makes the customer a member; consent to the terms is recorded with its version and time. */
export async function joinMembership(customerId: Types.ObjectId, input: JoinInput): Promise<MemberDoc> {
  const at = input.at ?? new Date();
  for (let attempt = 0; attempt < 5; attempt++) {
    const memberNo = String(randomInt(100_000_000, 1_000_000_000));
    try {
      const created = await Member.create({
        customerId,
        memberNo,
        joinedAt: at,
        termsVersion: input.termsVersion,
        termsAcceptedAt: at,
        ...(input.phone ? { phone: input.phone } : {}),
      });
      await appendTimeline(customerId, {
        type: 'member.joined',
        channel: 'mini_program',
        summary: 'Joined the membership',
        data: { termsVersion: input.termsVersion, termsAcceptedAt: at.toISOString(), phoneBound: Boolean(input.phone) },
        at,
      });
      return created.toObject() as MemberDoc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (await Member.exists({ customerId })) throw conflict(MemberErrorCode.ALREADY_MEMBER, 'You are a member already.');
      // Otherwise the random memberNo was taken: draw another.
    }
  }
  throw busy('Could not allot a member number; try again.');
}

/**
 * The tier a member holds: the stored one (lowered only by the periodic check), but never below what
 * the points earned in the window give, so an upgrade lost to a concurrent write still shows.
 */
function effectiveTier(member: MemberDoc, earned: number): Tier {
  const stored = tierById(member.tier as TierId);
  const earnedTier = tierFor(earned);
  return earnedTier.rank > stored.rank ? earnedTier : stored;
}

/** The tier a customer holds now, or undefined when they are not a member. */
export async function memberTierOf(customerId: Types.ObjectId, now = new Date()): Promise<Tier | undefined> {
  const member = await getMember(customerId);
  return member ? effectiveTier(member, await earnedInWindow(customerId, now)) : undefined;
}

export async function memberStateOf(member: MemberDoc, now = new Date()): Promise<MemberState> {
  const [earned, balance] = await Promise.all([earnedInWindow(member.customerId, now), pointsBalance(member.customerId)]);
  const tier = effectiveTier(member, earned);
  const next = nextTier(earned);
  return {
    memberNo: member.memberNo,
    tier: { id: tier.id, name: tier.name },
    points: balance,
    earnedLast12Months: earned,
    nextTier: next && next.tier.rank > tier.rank ? { id: next.tier.id, name: next.tier.name, pointsNeeded: next.pointsNeeded } : null,
    joinedAt: member.joinedAt.toISOString(),
    termsVersion: member.termsVersion,
    phone: maskPhone(member.phone),
  };
}

export async function memberSummaryOf(member: MemberDoc): Promise<MemberSummary> {
  const [customer, earned, balance] = await Promise.all([
    getCustomer(member.customerId),
    earnedInWindow(member.customerId),
    pointsBalance(member.customerId),
  ]);
  const tier = effectiveTier(member, earned);
  return {
    customerId: member.customerId.toString(),
    memberNo: member.memberNo,
    name: customer?.profile?.name ?? null,
    tier: { id: tier.id, name: tier.name },
    points: balance,
    phone: maskPhone(member.phone),
  };
}

/** Account deletion: the member keeps only anonymous totals; the phone goes. */
export async function closeMembership(customerId: Types.ObjectId, at = new Date()): Promise<void> {
  await Member.updateOne({ customerId }, { $set: { closedAt: at }, $unset: { phone: '' } });
}
