import { createHash, randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { MemberErrorCode } from '@shared/errors';
import { DELETION_CONFIRM_MINUTES, type ExportResponse } from '@shared/api/privacy';
import { mergedRecordsOf } from '../customers';
import { exportCustomerData } from '../platform/customerData';
import { DomainError } from '../platform/errors';
import { emit } from '../platform/events';
import { DeletionRequest } from './model';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** The customer and the records merged into them: one person. */
const personOf = async (customerId: Types.ObjectId) => [customerId, ...(await mergedRecordsOf(customerId))];

/** Two lists of records in one; a record with an id already listed (seen from both records) once. */
function mergeLists(first: unknown[], second: unknown[]): unknown[] {
  const idOf = (item: unknown) => (item && typeof item === 'object' && 'id' in item ? String((item as { id: unknown }).id) : undefined);
  const seen = new Set(first.map(idOf).filter(Boolean));
  return [...first, ...second.filter((item) => !seen.has(idOf(item)))];
}

/**
 * Everything held about a customer, for the customer: every module's part (see platform/customerData),
 * including what is still held under records merged into this one. No secrets: identities are shown
 * by value only, sessions by their times.
 */
export async function exportPersonalData(customerId: Types.ObjectId, now = new Date()): Promise<ExportResponse> {
  const [own, ...merged] = await Promise.all((await personOf(customerId)).map((id) => exportCustomerData(id)));
  const sections = { ...own! };
  for (const other of merged) {
    for (const [key, value] of Object.entries(other)) {
      // Lists add up; a single record (the customer, the membership) is the survivor's unless it has none.
      if (Array.isArray(value)) sections[key] = mergeLists((sections[key] as unknown[]) ?? [], value);
      else if (sections[key] === null || sections[key] === undefined) sections[key] = value;
    }
  }
  return { exportedAt: now.toISOString(), ...sections } as ExportResponse;
}

/** Step one: a confirmation token, valid a few minutes, for this customer only. */
export async function requestDeletion(customerId: Types.ObjectId, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + DELETION_CONFIRM_MINUTES * 60_000);
  await DeletionRequest.create({ tokenHash: hash(token), customerId, expiresAt });
  return { token, expiresAt };
}

/**
 * Step two: the person is erased in every module (customer.erased, for this record and any merged
 * into it): personal data, identities, sessions and roles go; what accounting keeps (points ledger,
 * redemptions, ticket figures) stays under an id that names nobody. The request is marked confirmed
 * first and removed last; every handler is idempotent and the event is retried until all succeed, so
 * a pass cut short is finished later (finishConfirmedDeletions, the event retry job), and a replay
 * changes nothing.
 */
export async function confirmDeletion(customerId: Types.ObjectId, token: string, now = new Date()): Promise<void> {
  const request = await DeletionRequest.findOneAndUpdate(
    { tokenHash: hash(token), customerId, expiresAt: { $gt: now } },
    { $set: { confirmedAt: now } },
  ).lean();
  if (!request) throw new DomainError(MemberErrorCode.INVALID_CONFIRMATION, 'This confirmation is invalid or has expired; start again.');
  await eraseAccount(customerId, now);
}

async function eraseAccount(customerId: Types.ObjectId, now: Date): Promise<void> {
  for (const id of await personOf(customerId)) {
    await emit('customer.erased', { customerId: id.toString() }, { id: `customer.erased:${id}`, at: now });
  }
  await DeletionRequest.deleteMany({ customerId });
}

/** Completes deletions confirmed but left unfinished (a crash before the event was written down). */
export async function finishConfirmedDeletions(now = new Date()): Promise<number> {
  const stuck = await DeletionRequest.find({ confirmedAt: { $lt: new Date(now.getTime() - 60_000) } })
    .limit(100)
    .lean();
  for (const request of stuck) await eraseAccount(request.customerId, request.confirmedAt!);
  return stuck.length;
}

/** Drops confirmation tokens never used. */
export async function sweepDeletionRequests(now = new Date()): Promise<void> {
  await DeletionRequest.deleteMany({ expiresAt: { $lte: now }, confirmedAt: { $exists: false } });
}
