import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { DELETION_CONFIRM_MINUTES, type ExportResponse } from '@shared/api/privacy';
import { eraseComplaintData } from '../aftersale/complaints';
import { revokeAllSessions } from '../auth/service';
import { eraseCustomer, fullTimeline, getCustomer, listIdentities } from '../customers/service';
import { AppError } from '../platform/http/errors';
import { revokeAllRoles, rolesOf } from '../staff/service';
import { AdjustmentRequest, BirthdayGift, BirthdayNotice, DeletionRequest, SubscribeAcceptance, SubscribeUse } from './model';
import { allLedgerEntries, pointsBalance } from './points';
import { closeMembership, getMember } from './service';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : d);

/** Everything held about a customer, for the customer. No secrets: identities are shown by value only. */
export async function exportPersonalData(customerId: Types.ObjectId, now = new Date()): Promise<ExportResponse> {
  const [customer, identities, member, ledger, timeline, roles, balance] = await Promise.all([
    getCustomer(customerId),
    listIdentities(customerId),
    getMember(customerId),
    allLedgerEntries(customerId),
    fullTimeline(customerId),
    rolesOf(customerId),
    pointsBalance(customerId),
  ]);
  return {
    exportedAt: now.toISOString(),
    customer: {
      id: customerId.toString(),
      status: customer?.status,
      profile: customer?.profile ?? {},
      officialAccount: customer?.officialAccount ?? {},
      createdAt: iso(customer?.createdAt),
    },
    identities: identities.map((i) => ({ kind: i.kind, value: i.value, since: (i.createdAt as Date).toISOString() })),
    member: member
      ? {
          memberNo: member.memberNo,
          tier: member.tier,
          points: balance,
          joinedAt: iso(member.joinedAt),
          termsVersion: member.termsVersion,
          termsAcceptedAt: iso(member.termsAcceptedAt),
          phone: member.phone ?? null,
        }
      : null,
    ledger: ledger.map((e) => ({
      type: e.type,
      points: e.points,
      reason: e.reason,
      at: iso(e.at),
      expiresAt: iso(e.expiresAt) ?? null,
    })),
    timeline: timeline.map((t) => ({
      type: t.type,
      channel: t.channel,
      summary: t.summary,
      at: iso(t.at),
      data: t.data ?? {},
      storeId: t.storeId?.toString() ?? null,
    })),
    roles: roles.map((r) => ({ role: r.role, storeId: r.storeId?.toString() ?? null, grantedAt: iso(r.grantedAt) })),
  };
}

/** Step one: a confirmation token, valid a few minutes, for this customer only. */
export async function requestDeletion(customerId: Types.ObjectId, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + DELETION_CONFIRM_MINUTES * 60_000);
  await DeletionRequest.create({ tokenHash: hash(token), customerId, expiresAt });
  return { token, expiresAt };
}

/**
 * Step two: erases personal data and identities, closes the membership (the points ledger stays,
 * naming nobody once the customer record is empty), removes roles, and revokes every session.
 * The request is marked confirmed first and removed last; every step is idempotent, so a pass cut
 * short is finished by finishConfirmedDeletions (a periodic job), and a replay changes nothing.
 */
export async function confirmDeletion(customerId: Types.ObjectId, token: string, now = new Date()): Promise<void> {
  const request = await DeletionRequest.findOneAndUpdate(
    { tokenHash: hash(token), customerId, expiresAt: { $gt: now } },
    { $set: { confirmedAt: now } },
  ).lean();
  if (!request) throw new AppError(400, 'INVALID_CONFIRMATION', 'This confirmation is invalid or has expired; start again.');
  await eraseAccount(customerId, now);
}

async function eraseAccount(customerId: Types.ObjectId, now: Date): Promise<void> {
  await eraseCustomer(customerId, now);
  await closeMembership(customerId, now);
  await revokeAllRoles(customerId);
  await revokeAllSessions(customerId);
  await AdjustmentRequest.deleteMany({ customerId });
  // Birthday gift records and subscribe acceptances tell the birth month and consents: they go too.
  await Promise.all([
    BirthdayGift.deleteMany({ customerId }),
    BirthdayNotice.deleteMany({ customerId }),
    SubscribeAcceptance.deleteMany({ customerId }),
    SubscribeUse.deleteMany({ customerId }),
  ]);
  await eraseComplaintData(customerId);
  await DeletionRequest.deleteMany({ customerId });
}

/** Completes deletions confirmed but left unfinished (a crash between the steps). */
export async function finishConfirmedDeletions(now = new Date()): Promise<number> {
  const stuck = await DeletionRequest.find({ confirmedAt: { $lt: new Date(now.getTime() - 60_000) } }).limit(100).lean();
  for (const request of stuck) await eraseAccount(request.customerId, request.confirmedAt!);
  return stuck.length;
}

/** Drops confirmation tokens never used. */
export async function sweepDeletionRequests(now = new Date()): Promise<void> {
  await DeletionRequest.deleteMany({ expiresAt: { $lte: now }, confirmedAt: { $exists: false } });
}
