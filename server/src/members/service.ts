import { randomInt } from 'node:crypto';
import type { Types } from 'mongoose';
import { MEMBERSHIP_TERMS_VERSION, MemberErrorCode, type MemberState, type MemberSummary } from '@shared/api/members';
import { nextTier, tierById, type TierId } from '@shared/tiers';
import { appendTimeline, getCustomer } from '../customers/service';
import { isDuplicateKey } from '../platform/db/errors';
import { conflict } from '../platform/http/errors';
import { Member, type MemberDoc } from './model';
import { earnedInWindow } from './points';

export { adjustPoints, earnPoints, reversePoints, spendPoints } from './points';

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
  throw conflict('CONFLICT', 'Could not allot a member number; try again.');
}

export async function memberStateOf(member: MemberDoc, now = new Date()): Promise<MemberState> {
  const earned = await earnedInWindow(member.customerId, now);
  const tier = tierById(member.tier as TierId);
  const next = nextTier(earned);
  return {
    memberNo: member.memberNo,
    tier: { id: tier.id, name: tier.name },
    points: member.balance,
    earnedLast12Months: earned,
    nextTier: next && next.tier.rank > tier.rank ? { id: next.tier.id, name: next.tier.name, pointsNeeded: next.pointsNeeded } : null,
    joinedAt: member.joinedAt.toISOString(),
    termsVersion: member.termsVersion,
    phone: maskPhone(member.phone),
  };
}

export async function memberSummaryOf(member: MemberDoc): Promise<MemberSummary> {
  const customer = await getCustomer(member.customerId);
  const tier = tierById(member.tier as TierId);
  return {
    customerId: member.customerId.toString(),
    memberNo: member.memberNo,
    name: customer?.profile?.name ?? null,
    tier: { id: tier.id, name: tier.name },
    points: member.balance,
    phone: maskPhone(member.phone),
  };
}

/** Account deletion: the member keeps only anonymous totals; the phone goes. */
export async function closeMembership(customerId: Types.ObjectId, at = new Date()): Promise<void> {
  await Member.updateOne({ customerId }, { $set: { closedAt: at }, $unset: { phone: '' } });
}

export const CURRENT_TERMS = MEMBERSHIP_TERMS_VERSION;
