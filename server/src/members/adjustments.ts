import { Types } from 'mongoose';
import { appendTimeline, getCustomer, isCustomerOfStore } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { conflict, forbidden, notFound } from '../platform/errors';
import { isAdmin, type Actor } from '../staff';
import { AdjustmentRequest, type AdjustmentRequestDoc, type LedgerDoc } from './model';
import { memberPolicy } from './policies';
import { adjustPoints } from './points';

// Who may correct a points balance, and how far (least privilege):
// - nobody adjusts their own points;
// - a manager adjusts only customers of a store they manage, up to `cap` points either way;
// - above the cap the adjustment waits for an admin's approval (a different person);
// - admins adjust anyone's but their own.
// Every adjustment, request and decision is on the customer's timeline with the actor and reason.

export interface AdjustmentInput {
  customerId: string;
  points: number;
  reason: string;
  refKey: string;
}

export type AdjustmentOutcome =
  { kind: 'posted'; entry: LedgerDoc; created: boolean } | { kind: 'pending'; request: AdjustmentRequestDoc; created: boolean };

export async function requestAdjustment(
  actor: Actor,
  input: AdjustmentInput,
  context: { storeId: string | undefined; cap: number },
): Promise<AdjustmentOutcome> {
  const customerId = new Types.ObjectId(input.customerId);
  if (customerId.equals(actor.customerId)) throw forbidden('You cannot adjust your own points.');
  const storeId = context.storeId ? new Types.ObjectId(context.storeId) : undefined;
  const admin = isAdmin(actor);
  if (!admin) {
    if (!storeId || !memberPolicy.adjustPoints(actor, storeId.toString()))
      throw forbidden('Only a store manager or an admin can adjust points.');
    if (!(await isCustomerOfStore(customerId, storeId))) throw forbidden("You can only adjust the points of your store's customers.");
  }
  if (admin || Math.abs(input.points) <= context.cap) {
    const { entry, created } = await adjustPoints(customerId, input.points, input.reason, input.refKey, {
      staffId: actor.customerId,
      ...(storeId ? { storeId } : {}),
    });
    return { kind: 'posted', entry, created };
  }
  return holdForApproval(actor, customerId, input, storeId);
}

async function holdForApproval(
  actor: Actor,
  customerId: Types.ObjectId,
  input: AdjustmentInput,
  storeId: Types.ObjectId | undefined,
): Promise<AdjustmentOutcome> {
  const customer = await getCustomer(customerId);
  if (!customer || customer.status !== 'active') throw notFound('No such customer.');
  const doc = {
    _id: input.refKey,
    customerId,
    points: input.points,
    reason: input.reason,
    requestedBy: actor.customerId,
    state: 'pending' as const,
    createdAt: new Date(),
    ...(storeId ? { storeId } : {}),
  };
  try {
    await AdjustmentRequest.create(doc);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // A retry of the same request answers the same; another adjustment under the key is a conflict.
    const earlier = await AdjustmentRequest.findById(input.refKey).lean<AdjustmentRequestDoc>();
    if (!earlier || !earlier.customerId.equals(customerId) || earlier.points !== input.points) {
      throw conflict('CONFLICT', 'This refKey was used for another adjustment.');
    }
    return { kind: 'pending', request: earlier, created: false };
  }
  await appendTimeline(customerId, {
    sourceKey: `points-adjustment-request:${input.refKey}`,
    type: 'points.adjustment_requested',
    channel: storeId ? 'store' : 'system',
    summary: `${input.points > 0 ? '+' : ''}${input.points} points requested: ${input.reason}`,
    data: { points: input.points, reason: input.reason, refKey: input.refKey, actorId: String(actor.customerId) },
    staffId: actor.customerId,
    ...(storeId ? { storeId } : {}),
  });
  return { kind: 'pending', request: doc as AdjustmentRequestDoc, created: true };
}

export async function listPendingAdjustments(limit = 100): Promise<AdjustmentRequestDoc[]> {
  return AdjustmentRequest.find({ state: 'pending' }).sort({ createdAt: 1 }).limit(limit).lean<AdjustmentRequestDoc[]>();
}

async function pendingFor(admin: Actor, id: string): Promise<AdjustmentRequestDoc> {
  if (!isAdmin(admin)) throw forbidden('Only an admin can decide on an adjustment.');
  const request = await AdjustmentRequest.findById(id).lean<AdjustmentRequestDoc>();
  if (!request) throw notFound('No such adjustment request.');
  if (request.customerId.equals(admin.customerId)) throw forbidden('You cannot approve an adjustment of your own points.');
  if (request.requestedBy.equals(admin.customerId)) throw forbidden('Someone other than the requester must decide.');
  return request;
}

/** Posts a held adjustment. Idempotent: the ledger's refKey posts it once, whoever approves twice. */
export async function approveAdjustment(admin: Actor, id: string): Promise<{ entry: LedgerDoc; created: boolean }> {
  const request = await pendingFor(admin, id);
  if (request.state === 'rejected') throw conflict('CONFLICT', 'This adjustment was rejected.');
  const result = await adjustPoints(request.customerId, request.points, request.reason, request._id, {
    staffId: request.requestedBy,
    approvedBy: admin.customerId,
    ...(request.storeId ? { storeId: request.storeId } : {}),
  });
  await AdjustmentRequest.updateOne(
    { _id: request._id },
    { $set: { state: 'approved', decidedBy: admin.customerId, decidedAt: new Date() } },
  );
  return result;
}

export async function rejectAdjustment(admin: Actor, id: string): Promise<AdjustmentRequestDoc> {
  const request = await pendingFor(admin, id);
  if (request.state === 'approved') throw conflict('CONFLICT', 'This adjustment was approved already.');
  if (request.state === 'pending') {
    await AdjustmentRequest.updateOne(
      { _id: request._id },
      { $set: { state: 'rejected', decidedBy: admin.customerId, decidedAt: new Date() } },
    );
    await appendTimeline(request.customerId, {
      sourceKey: `points-adjustment-rejected:${request._id}`,
      type: 'points.adjustment_rejected',
      channel: 'system',
      summary: `${request.points > 0 ? '+' : ''}${request.points} points not approved: ${request.reason}`,
      data: { points: request.points, reason: request.reason, refKey: request._id, actorId: String(admin.customerId) },
      staffId: admin.customerId,
      ...(request.storeId ? { storeId: request.storeId } : {}),
    });
  }
  return { ...request, state: 'rejected', decidedBy: admin.customerId };
}
