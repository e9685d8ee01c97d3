import type { Types } from 'mongoose';
import { CouponErrorCode } from '@shared/coupons';
import { TIERS, type Tier, type TierId } from '@shared/tiers';
import { memberTierOf } from '../members';
import { conflict, type DomainError } from '../platform/http/errors';
import type { CampaignDoc } from './model';

// Tier-limited campaigns: only members of the listed tiers may claim them.

const allowedTiers = (campaign: Pick<CampaignDoc, 'tiers'>) => (campaign.tiers ?? []) as TierId[];

/** Whether a member of `tier` (undefined: not a member) may claim the campaign. */
export function tierAllows(campaign: Pick<CampaignDoc, 'tiers'>, tier: Tier | undefined): boolean {
  const allowed = allowedTiers(campaign);
  return allowed.length === 0 || (tier !== undefined && allowed.includes(tier.id));
}

/** The lowest allowed tier above the member's, i.e. what a higher tier would unlock; undefined when none. */
export function unlockingTier(campaign: Pick<CampaignDoc, 'tiers'>, tier: Tier | undefined): Tier | undefined {
  const allowed = allowedTiers(campaign);
  const rank = tier?.rank ?? -1;
  return TIERS.filter((t) => allowed.includes(t.id) && t.rank > rank).sort((a, b) => a.rank - b.rank)[0];
}

/** Why this customer's tier cannot claim the campaign, or undefined when it can (no read for open campaigns). */
export async function tierBlocker(campaign: CampaignDoc, customerId: Types.ObjectId, now: Date): Promise<DomainError | undefined> {
  if (allowedTiers(campaign).length === 0) return undefined;
  const tier = await memberTierOf(customerId, now);
  if (tierAllows(campaign, tier)) return undefined;
  const needed = unlockingTier(campaign, tier);
  return conflict(
    CouponErrorCode.TIER_REQUIRED,
    needed ? `This offer is for ${needed.name} members and above.` : 'This offer is not for your member tier.',
  );
}

/** Splits claimable campaigns into what this customer's tier may claim and what a higher tier would unlock. */
export async function splitByTier<C extends CampaignDoc>(
  campaigns: C[],
  customerId: Types.ObjectId,
): Promise<{ open: C[]; locked: Array<{ campaign: C; requiredTier: Tier }> }> {
  const tier = campaigns.some((c) => allowedTiers(c).length) ? await memberTierOf(customerId) : undefined;
  const open: C[] = [];
  const locked: Array<{ campaign: C; requiredTier: Tier }> = [];
  for (const campaign of campaigns) {
    if (tierAllows(campaign, tier)) open.push(campaign);
    else {
      const requiredTier = unlockingTier(campaign, tier);
      if (requiredTier) locked.push({ campaign, requiredTier });
    }
  }
  return { open, locked };
}
