import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { DELETION_CONFIRM_MINUTES, type ExportResponse } from '@shared/api/privacy';
import { revokeAllSessions } from '../auth/service';
import { eraseCustomer, fullTimeline, getCustomer, listIdentities } from '../customers/service';
import { AppError } from '../platform/http/errors';
import { revokeAllRoles, rolesOf } from '../staff/service';
import { DeletionRequest } from './model';
import { allLedgerEntries } from './points';
import { closeMembership, getMember } from './service';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : d);

/** Everything held about a customer, for the customer. No secrets: identities are shown by value only. */
export async function exportPersonalData(customerId: Types.ObjectId, now = new Date()): Promise<ExportResponse> {
  const [customer, identities, member, ledger, timeline, roles] = await Promise.all([
    getCustomer(customerId),
    listIdentities(customerId),
    getMember(customerId),
    allLedgerEntries(customerId),
    fullTimeline(customerId),
    rolesOf(customerId),
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
          points: member.balance,
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
 * The token is consumed atomically, so a replay does nothing. Each step is idempotent.
 */
export async function confirmDeletion(customerId: Types.ObjectId, token: string, now = new Date()): Promise<void> {
  const request = await DeletionRequest.findOneAndDelete({ tokenHash: hash(token), customerId, expiresAt: { $gt: now } }).lean();
  if (!request) throw new AppError(400, 'INVALID_CONFIRMATION', 'This confirmation is invalid or has expired; start again.');
  await eraseCustomer(customerId, now);
  await closeMembership(customerId, now);
  await revokeAllRoles(customerId);
  await DeletionRequest.deleteMany({ customerId });
  await revokeAllSessions(customerId);
}

export async function sweepDeletionRequests(now = new Date()): Promise<void> {
  await DeletionRequest.deleteMany({ expiresAt: { $lte: now } });
}
