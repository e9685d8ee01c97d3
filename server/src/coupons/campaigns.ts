import { Types } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import { CouponErrorCode, type ClaimChannel, type CreateCampaign, type UpdateCampaign } from '@shared/coupons';
import { AppError, conflict, notFound } from '../platform/http/errors';
import { Campaign, type CampaignDoc } from './model';

export async function createCampaign(input: CreateCampaign, createdBy?: Types.ObjectId): Promise<CampaignDoc> {
  const created = await Campaign.create({
    name: input.name,
    type: input.type,
    valueFen: input.valueFen,
    thresholdFen: input.thresholdFen,
    percentOff: input.percentOff,
    maxDiscountFen: input.maxDiscountFen,
    giftName: input.giftName,
    description: input.description,
    stock: input.stock,
    issued: 0,
    remaining: input.stock,
    perUserLimit: input.perUserLimit,
    validity: input.validity,
    claimStart: input.claimWindow?.start,
    claimEnd: input.claimWindow?.end,
    storeIds: input.storeIds.map((id) => new Types.ObjectId(id)),
    channels: input.channels,
    status: input.status,
    createdBy,
  });
  return created.toObject() as CampaignDoc;
}

export async function getCampaign(id: string | Types.ObjectId): Promise<CampaignDoc> {
  if (!Types.ObjectId.isValid(id)) throw notFound('No such campaign.');
  const campaign = await Campaign.findById(id).lean<CampaignDoc>();
  if (!campaign) throw notFound('No such campaign.');
  return campaign;
}

/**
 * Changes status and/or stock. Stock moves with `remaining` in one guarded update, so a claim in
 * flight never sees them disagree, and it can never drop below what has been issued.
 */
export async function updateCampaign(id: string, change: UpdateCampaign): Promise<CampaignDoc> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await getCampaign(id);
    const set: Record<string, unknown> = {};
    const inc: Record<string, number> = {};
    const filter: Record<string, unknown> = { _id: current._id, stock: current.stock };
    if (change.status) set.status = change.status;
    if (change.stock !== undefined && change.stock !== current.stock) {
      if (change.stock < current.issued) {
        throw conflict(ErrorCode.CONFLICT, `Stock cannot go below the ${current.issued} coupons already issued.`);
      }
      set.stock = change.stock;
      inc.remaining = change.stock - current.stock;
      filter.issued = { $lte: change.stock };
    }
    const updated = await Campaign.findOneAndUpdate(
      filter,
      { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(inc).length ? { $inc: inc } : {}) },
      { new: true },
    ).lean<CampaignDoc>();
    if (updated) return updated;
    // Stock changed under us, or claims pushed issued past the new stock: look again.
  }
  throw new AppError(409, ErrorCode.CONFLICT, 'The campaign is changing too fast; try again.');
}

/** Why a campaign cannot be claimed right now, or undefined when it can. */
export function claimBlocker(c: CampaignDoc, channel: ClaimChannel, now: Date): AppError | undefined {
  if (c.status === 'ended') return conflict(ErrorCode.ENDED, 'This campaign has ended.');
  if (c.status !== 'active') return conflict(CouponErrorCode.NOT_CLAIMABLE, 'This campaign is not open for claiming.');
  if (c.claimStart && c.claimStart > now) return conflict(ErrorCode.NOT_STARTED, 'Claiming has not started yet.');
  if (c.claimEnd && c.claimEnd <= now) return conflict(ErrorCode.ENDED, 'Claiming has ended.');
  if (c.validity?.kind === 'range' && c.validity.end && c.validity.end <= now) {
    return conflict(ErrorCode.ENDED, 'These coupons are no longer valid.');
  }
  if (!(c.channels ?? []).includes(channel)) {
    return conflict(CouponErrorCode.NOT_CLAIMABLE, 'This campaign is not offered here.');
  }
  return undefined;
}

/** Campaigns a customer can claim right now through a channel. */
export async function listClaimableCampaigns(channel: ClaimChannel = 'mini_program', now = new Date()): Promise<CampaignDoc[]> {
  const candidates = await Campaign.find({ status: 'active', remaining: { $gt: 0 }, channels: channel })
    .sort({ createdAt: -1 })
    .limit(200)
    .lean<CampaignDoc[]>();
  return candidates.filter((c) => !claimBlocker(c, channel, now));
}
