// Advocates: customers whose gifted coupons friends accepted and redeemed, ranked, with the gifts.
import type { AdvocateView } from '@shared/api/crm';
import { giftsGivenBy } from '../coupons';
import { customerBrief } from './customerView';
import { Advocate } from './model';

/** The ranking (redeemed gifts first, then accepted), as the rules pass last recorded it. */
export async function advocateRanking(limit = 20): Promise<AdvocateView[]> {
  const rows = await Advocate.find().limit(5000).lean();
  rows.sort((a, b) => b.redeemed - a.redeemed || b.accepted - a.accepted || a.customerId.toString().localeCompare(b.customerId.toString()));
  const top = rows.slice(0, limit);
  const views = await Promise.all(
    top.map(async (row): Promise<AdvocateView | undefined> => {
      const [customer, gifts] = await Promise.all([customerBrief(row.customerId), giftsGivenBy(row.customerId, 20)]);
      if (!customer) return undefined;
      return {
        customer,
        accepted: row.accepted,
        redeemed: row.redeemed,
        gifts: gifts.map((g) => ({
          couponId: g.couponId.toString(),
          toCustomerId: g.toCustomerId.toString(),
          acceptedAt: g.acceptedAt.toISOString(),
          redeemed: g.redeemed,
          passedOn: g.passedOn,
        })),
      };
    }),
  );
  return views.filter((v): v is AdvocateView => Boolean(v));
}
