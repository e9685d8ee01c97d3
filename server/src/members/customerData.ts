import { Types } from 'mongoose';
import type { CustomerDataPart } from '../platform/customerData';
import {
  AdjustmentRequest,
  BirthdayGift,
  BirthdayNotice,
  DeletionRequest,
  LedgerEntry,
  Member,
  SubscribeAcceptance,
  SubscribeUse,
  type MemberDoc,
} from './model';

/** Records that follow the person: points adjustment requests, birthday gifts and notices, subscribe consents. */
const PERSONAL_RECORDS = [AdjustmentRequest, BirthdayGift, BirthdayNotice, SubscribeAcceptance, SubscribeUse] as const;
import { allLedgerEntries, pointsBalance, postTransfer } from './points';

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : d);

/** The membership, the points ledger, pending deletion requests and the member's personal records. */
export const membersData: CustomerDataPart = {
  module: 'members',
  collections: [
    'members',
    'points_ledger',
    'deletion_requests',
    'points_adjustment_requests',
    'birthday_gifts',
    'birthday_notices',
    'subscribe_acceptances',
    'subscribe_uses',
  ],

  async erase(customerId, at) {
    // Accounting keeps the totals: the membership (closed, no phone) and the ledger stay, under an
    // id that names nobody. Step by step idempotent: a second pass finds nothing left under the id.
    const anonymous = new Types.ObjectId();
    await Member.updateOne({ customerId }, { $set: { closedAt: at, customerId: anonymous }, $unset: { phone: '' } });
    await LedgerEntry.updateMany({ customerId }, { $set: { customerId: anonymous } });
    await DeletionRequest.deleteMany({ customerId });
    // Birthday gift records and subscribe acceptances tell the birth month and consents: they go too.
    for (const model of PERSONAL_RECORDS) await (model as typeof AdjustmentRequest).deleteMany({ customerId });
  },

  async merge(from, into, at) {
    const [source, target] = await Promise.all([
      Member.findOne({ customerId: from }).lean<MemberDoc>(),
      Member.findOne({ customerId: into }).lean<MemberDoc>(),
    ]);
    const survivorHasLedger = await LedgerEntry.exists({ customerId: into });
    if (source && !target && !survivorHasLedger) {
      // The usual case: only one of the two records had joined. Its chain moves over as it is.
      await LedgerEntry.updateMany({ customerId: from }, { $set: { customerId: into } });
      await Member.updateOne({ _id: source._id }, { $set: { customerId: into } });
    } else if (source) {
      // Both had joined: the survivor keeps its membership and chain and receives the other's balance.
      // Credit first, then debit: a pass cut short in between credits nothing twice (the refKeys are
      // unique) and still finds the balance to move.
      const balance = await pointsBalance(from);
      if (balance > 0 && target && !target.closedAt) {
        await postTransfer(into, balance, `merge:${from}`, at);
        await postTransfer(from, -balance, `merge-out:${from}`, at);
      }
      if (target && !target.phone && source.phone) await Member.updateOne({ _id: target._id }, { $set: { phone: source.phone } });
      await Member.updateOne({ _id: source._id }, { $set: { closedAt: source.closedAt ?? at }, $unset: { phone: '' } });
    }
    await DeletionRequest.updateMany({ customerId: from }, { $set: { customerId: into } });
    for (const model of PERSONAL_RECORDS)
      await (model as typeof AdjustmentRequest).updateMany({ customerId: from }, { $set: { customerId: into } });
  },

  async export(customerId) {
    const [member, ledger, balance, adjustments, gifts, acceptances] = await Promise.all([
      Member.findOne({ customerId, closedAt: { $exists: false } }).lean<MemberDoc>(),
      allLedgerEntries(customerId),
      pointsBalance(customerId),
      AdjustmentRequest.find({ customerId }).sort({ createdAt: 1 }).lean(),
      BirthdayGift.find({ customerId }).sort({ at: 1 }).lean(),
      SubscribeAcceptance.find({ customerId }).sort({ at: 1 }).lean(),
    ]);
    return {
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
      pointsAdjustmentRequests: adjustments.map((r) => ({
        id: r._id,
        points: r.points,
        reason: r.reason,
        state: r.state,
        createdAt: iso(r.createdAt),
      })),
      birthdayGifts: gifts.map((g) => ({
        id: g._id,
        year: g.year,
        state: g.state,
        couponId: g.couponId?.toString() ?? null,
        at: iso(g.at),
      })),
      subscribeAcceptances: acceptances.map((a) => ({ id: a._id.toString(), template: a.template, at: iso(a.at) })),
    };
  },
};
