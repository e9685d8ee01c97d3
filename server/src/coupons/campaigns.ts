import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import { ErrorCode } from '@shared/errors';
import { CouponErrorCode, type ClaimChannel, type CreateCampaign, type UpdateCampaign } from '@shared/coupons';
import { conflict, notFound, type DomainError } from '../platform/errors';
import { Campaign, Coupon, type CampaignDoc } from './model';
import { campaignChanged, stockLoweringFence } from './stock';

export interface CampaignWithCounts extends CampaignDoc {
  issued: number;
  remaining: number;
}

export async function createCampaign(input: CreateCampaign, createdBy?: Types.ObjectId): Promise<CampaignWithCounts> {
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
    perUserLimit: input.perUserLimit,
    validity: input.validity,
    claimStart: input.claimWindow?.start,
    claimEnd: input.claimWindow?.end,
    storeIds: input.storeIds.map((id) => new Types.ObjectId(id)),
    channels: input.channels,
    status: input.status,
    pointsPrice: input.pointsPrice,
    tiers: input.tiers,
    holdSuspicious: input.holdSuspicious,
    heldEver: input.holdSuspicious,
    createdBy,
  });
  const doc = created.toObject() as CampaignDoc;
  return { ...doc, issued: 0, remaining: doc.stock };
}

export async function getCampaign(id: string | Types.ObjectId): Promise<CampaignDoc> {
  if (!Types.ObjectId.isValid(id)) throw notFound('No such campaign.');
  const campaign = await Campaign.findById(id).lean<CampaignDoc>();
  if (!campaign) throw notFound('No such campaign.');
  return campaign;
}

/**
 * How many stock places each campaign has given out (a coupon exists for every stock place taken;
 * a claim refused at review gave its place up, so it counts out).
 */
export async function issuedCounts(campaigns: Array<Pick<CampaignDoc, '_id' | 'heldEver'>>): Promise<Map<string, number>> {
  const counts = await Promise.all(
    campaigns.map(async ({ _id: campaignId, heldEver }) => {
      const [all, refused] = await Promise.all([
        Coupon.countDocuments({ campaignId }),
        heldEver ? Coupon.countDocuments({ campaignId, stockSlot: { $lt: 0 } }) : 0,
      ]);
      return all - refused;
    }),
  );
  return new Map(campaigns.map((c, i) => [c._id.toString(), counts[i]!]));
}

export async function withCounts(campaigns: CampaignDoc[]): Promise<CampaignWithCounts[]> {
  const counts = await issuedCounts(campaigns);
  return campaigns.map((c) => {
    const issued = counts.get(c._id.toString()) ?? 0;
    return { ...c, issued, remaining: Math.max(0, c.stock - issued) };
  });
}

/**
 * Changes status and/or stock. Stock can be raised at any time (every instance sees it within a
 * second); it cannot go below what has been issued, and once lowering answers no place past the new
 * stock is handed out.
 */
export async function updateCampaign(id: string, change: UpdateCampaign): Promise<CampaignWithCounts> {
  const current = await getCampaign(id);
  const set: Record<string, unknown> = {};
  if (change.status) set.status = change.status;
  if (change.holdSuspicious !== undefined) set.holdSuspicious = change.holdSuspicious;
  if (change.holdSuspicious) set.heldEver = true;
  if (change.stock !== undefined) {
    const issued = (await issuedCounts([current])).get(current._id.toString()) ?? 0;
    if (change.stock < issued) {
      throw conflict(ErrorCode.CONFLICT, `Stock cannot go below the ${issued} coupons already issued.`);
    }
    set.stock = change.stock;
  }
  const writtenAt = performance.now();
  const updated = await Campaign.findOneAndUpdate({ _id: current._id }, { $set: set }, { new: true }).lean<CampaignDoc>();
  if (!updated) throw notFound('No such campaign.');
  campaignChanged(updated, writtenAt);
  // Instances claim with a copy of the campaign up to a second old: a lower stock is answered only
  // once none can still hand out a place past it.
  if (change.stock !== undefined && change.stock < current.stock) await stockLoweringFence();
  return (await withCounts([updated]))[0]!;
}

/** Why a campaign cannot be claimed right now, or undefined when it can. */
export function claimBlocker(c: CampaignDoc, channel: ClaimChannel, now: Date): DomainError | undefined {
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
export async function listClaimableCampaigns(channel: ClaimChannel = 'mini_program', now = new Date()): Promise<CampaignWithCounts[]> {
  const candidates = await Campaign.find({ status: 'active', channels: channel }).sort({ createdAt: -1 }).limit(200).lean<CampaignDoc[]>();
  const open = candidates.filter((c) => !claimBlocker(c, channel, now));
  return (await withCounts(open)).filter((c) => c.remaining > 0);
}

export async function listCampaigns(): Promise<CampaignWithCounts[]> {
  return withCounts(await Campaign.find().sort({ createdAt: -1 }).limit(200).lean<CampaignDoc[]>());
}

/** Every campaign's name by id (for reports that show campaigns by name). */
export async function campaignNames(): Promise<Map<string, string>> {
  const campaigns = await Campaign.find({}, { name: 1 }).lean();
  return new Map(campaigns.map((c) => [c._id.toString(), c.name]));
}
