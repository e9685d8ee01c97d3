// The dashboard over a date range: closed days from their rollups, the days not rolled up yet
// (today, and yesterday in the first hour) from their hourly rollups and the last hour or two
// counted live (live.ts), added up per day. The timeline is read by an indexed equality (the hour
// or the day), never by a range.
import {
  ATTRIBUTION_RULES,
  type ClockStats,
  type CountBy,
  type DashboardDay,
  type DashboardReport,
  type MoneyRow,
} from '@shared/api/analytics';
import { campaignNames } from '../coupons';
import { dayIndex, dayOfIndex, indexOfDay, splitKey, startOfDayIndex, type Counters } from './facts';
import { liveDayCounters } from './live';
import { DailyRollup } from './model';
import { countersOf, rollupId } from './rollup';

/** Flagged (suspected fake) engagement in a range, from the engagement module once it is wired. */
export type FlaggedCountsSource = (
  range: { from: Date; to: Date },
  storeId?: string,
) => Promise<{ claims: number; gifts: number; follows: number }>;

export interface DashboardInput {
  from: string;
  to: string;
  /** undefined: every store. */
  storeId?: string | undefined;
}

/** The counters of every day in the range: rolled-up days as written, the others live. */
async function countersByDay(
  first: number,
  last: number,
  now: Date,
): Promise<{ days: Map<number, Counters>; live: number[]; rolled: number[] }> {
  const today = dayIndex(now);
  const days = new Map<number, Counters>();
  const indexes: number[] = [];
  for (let d = first; d <= Math.min(last, today); d++) indexes.push(d);
  // One read for the whole range. On the embedded engine `$in` is not pushed down (every rollup row
  // is read and filtered), but that collection is bounded (one small document per day, at most
  // MAX_BACKFILL_DAYS per version), and one round trip measured 300 ms against 1,089 ms for 90 reads
  // by `_id` in the same bench run: round trips cost more than the rows.
  const found = await DailyRollup.find({ _id: { $in: indexes.map((d) => rollupId(dayOfIndex(d))) } }).lean();
  const byId = new Map(found.map((doc) => [doc._id, doc]));
  const live: number[] = [];
  const rolled: number[] = [];
  indexes.forEach((d) => {
    const doc = byId.get(rollupId(dayOfIndex(d)));
    if (doc) {
      days.set(d, countersOf(doc));
      rolled.push(d);
    } else live.push(d);
  });
  if (live.length) {
    for (const [d, counters] of await liveDayCounters(live, now)) days.set(d, counters);
  }
  return { days, live, rolled };
}

const share = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);
const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 100) / 100 : null);

/** The dashboard for a range and scope. */
export async function dashboardReport(
  input: DashboardInput,
  options: { now?: Date; flaggedCounts: FlaggedCountsSource },
): Promise<DashboardReport> {
  const now = options.now ?? new Date();
  const first = indexOfDay(input.from);
  const last = indexOfDay(input.to);
  const storeId = input.storeId;
  const storeView = storeId !== undefined;

  const [{ days, live, rolled }, names, flagged] = await Promise.all([
    countersByDay(first, last, now),
    campaignNames(),
    options
      .flaggedCounts({ from: startOfDayIndex(first), to: startOfDayIndex(last + 1) }, storeId)
      .then((counts) => counts)
      .catch(() => null),
  ]);

  // Everything the scope may see, as (metric, store, dim, day, value).
  const facts: Array<{ metric: string; store: string; dim: string; day: number; value: number }> = [];
  for (const [day, counters] of days) {
    for (const [key, value] of counters) {
      const { metric, store, dim } = splitKey(key);
      if (storeView && store !== storeId) continue;
      facts.push({ metric, store, dim, day, value });
    }
  }
  type Fact = (typeof facts)[number];
  const byMetric = new Map<string, Fact[]>();
  for (const f of facts) {
    const list = byMetric.get(f.metric);
    if (list) list.push(f);
    else byMetric.set(f.metric, [f]);
  }
  const of = (metric: string) => byMetric.get(metric) ?? [];
  const sum = (metric: string, filter: (f: Fact) => boolean = () => true) => of(metric).reduce((n, f) => (filter(f) ? n + f.value : n), 0);
  const by = (metric: string, keyOf: (f: Fact) => string): Map<string, number> => {
    const out = new Map<string, number>();
    for (const f of of(metric)) out.set(keyOf(f), (out.get(keyOf(f)) ?? 0) + f.value);
    return out;
  };
  const countBy = (m: Map<string, number>): CountBy[] =>
    [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
  const brand = <T>(value: T): T | null => (storeView ? null : value);

  // Daily series.
  const series: DashboardDay[] = [];
  for (let d = first; d <= last; d++) {
    const rolledDay = days.get(d);
    series.push({
      day: dayOfIndex(d),
      messagesIn: 0,
      repliesBot: 0,
      repliesStaff: 0,
      follows: 0,
      unfollows: 0,
      joins: 0,
      claimed: 0,
      gifted: 0,
      redeemed: 0,
      salesFen: 0,
      costFen: 0,
      ticketsOpened: 0,
      active30: !storeView && rolledDay?.has('snap.active30|-|-') ? rolledDay.get('snap.active30|-|-')! : null,
    });
  }
  const SERIES_FIELDS: Record<string, (f: Fact) => keyof DashboardDay | undefined> = {
    'oa.in': () => 'messagesIn',
    'oa.out': (f) => (f.dim === 'bot' ? 'repliesBot' : f.dim === 'staff' ? 'repliesStaff' : undefined),
    'oa.follow': () => 'follows',
    'oa.unfollow': () => 'unfollows',
    'members.join': () => 'joins',
    'coupons.claimed': () => 'claimed',
    'coupons.gifted': () => 'gifted',
    'coupons.redeemed': () => 'redeemed',
    'coupons.sales': () => 'salesFen',
    'coupons.cost': () => 'costFen',
    'tickets.opened': () => 'ticketsOpened',
  };
  for (const f of facts) {
    const field = SERIES_FIELDS[f.metric]?.(f);
    const row = series[f.day - first];
    if (field && row) (row[field] as number) += f.value;
  }

  // Members' snapshots as of the last rolled-up day of the range.
  const asOfDay = [...rolled].filter((d) => d <= last).sort((a, b) => b - a)[0];
  const snapshot = !storeView && asOfDay !== undefined ? days.get(asOfDay)! : undefined;
  const snap = (prefix: string) =>
    snapshot ? [...snapshot].filter(([k]) => k.startsWith(`${prefix}|`)).map(([k, v]) => ({ dim: splitKey(k).dim, v })) : [];
  const cohortSizes = snap('snap.cohortSize');
  const cohortCells = snap('snap.cohort');

  // Money by campaign, claim channel and store.
  const moneyRows = (keyOf: (f: (typeof facts)[number]) => string | undefined, label?: (key: string) => string | undefined): MoneyRow[] => {
    const rows = new Map<string, MoneyRow>();
    for (const f of facts) {
      const field = (
        {
          'coupons.redeemed': 'redeemed',
          'coupons.withAmount': 'withAmount',
          'coupons.sales': 'salesFen',
          'coupons.cost': 'costFen',
          'coupons.claimed': 'claimed',
          'coupons.gifted': 'gifted',
        } as const
      )[f.metric as 'coupons.redeemed'];
      if (!field) continue;
      const key = keyOf(f);
      if (key === undefined) continue;
      let row = rows.get(key);
      if (!row) {
        const name = label?.(key);
        row = {
          key,
          ...(name ? { label: name } : {}),
          redeemed: 0,
          withAmount: 0,
          salesFen: 0,
          costFen: 0,
          salesPerCost: null,
          claimed: 0,
          gifted: 0,
        };
        rows.set(key, row);
      }
      row[field] += f.value;
    }
    return [...rows.values()]
      .map((r) => ({ ...r, salesPerCost: ratio(r.salesFen, r.costFen) }))
      .sort((a, b) => b.salesFen - a.salesFen || b.redeemed - a.redeemed || a.key.localeCompare(b.key));
  };
  const campaignOf = (f: { dim: string }) => f.dim.split('|')[0]!;
  const channelOf = (f: { dim: string }) => f.dim.split('|')[1] ?? 'unknown';

  const clock = (metric: string): ClockStats => {
    const count = sum(metric);
    const breached = sum(`${metric}.breached`);
    return { count, averageMs: count ? Math.round(sum(`${metric}.ms`) / count) : null, breached, breachedShare: share(breached, count) };
  };
  const firstResponse = clock('tickets.fr');
  const resolution = clock('tickets.res');
  const csatCounts = by('csat', (f) => f.dim);
  const csatN = [...csatCounts.values()].reduce((a, b) => a + b, 0);
  const csatTotal = [...csatCounts].reduce((n, [stars, c]) => n + Number(stars) * c, 0);
  const humanCount = sum('complaints.human');

  const claimed = sum('coupons.claimed');
  const redeemed = sum('coupons.redeemed');
  const salesFen = sum('coupons.sales');
  const costFen = sum('coupons.cost');
  const passive = sum('oa.passive');
  const late = sum('oa.late');
  const followsByStore = by('oa.follow', (f) => f.store);
  const unfollowsByStore = by('oa.unfollow', (f) => f.store);
  const qrStores = new Set([...followsByStore.keys(), ...unfollowsByStore.keys()].filter((s) => s !== '-'));

  return {
    range: { from: input.from, to: input.to, days: last - first + 1 },
    storeId: storeId ?? null,
    generatedAt: now.toISOString(),
    rolledThrough: rolled.length ? dayOfIndex(Math.max(...rolled)) : null,
    liveDays: live.map(dayOfIndex),
    attribution: ATTRIBUTION_RULES,
    series,
    interactions: {
      messagesIn: brand(sum('oa.in')),
      repliesBot: brand(sum('oa.out', (f) => f.dim === 'bot')),
      repliesStaff: brand(sum('oa.out', (f) => f.dim === 'staff')),
      answeredWithin5s: brand({ count: passive, of: passive + late, share: share(passive, passive + late) }),
      follows: sum('oa.follow'),
      unfollows: sum('oa.unfollow'),
      followsByChannel: countBy(by('oa.follow', (f) => f.dim)),
      unfollowsByChannel: countBy(by('oa.unfollow', (f) => f.dim)),
      acquiredByChannel: countBy(by('oa.acquired', (f) => f.dim)),
      byStoreQr: [...qrStores]
        .sort()
        .map((s) => ({ storeId: s, follows: followsByStore.get(s) ?? 0, unfollows: unfollowsByStore.get(s) ?? 0 })),
    },
    members: {
      joins: brand(sum('members.join')),
      asOf: snapshot ? dayOfIndex(asOfDay!) : null,
      tierMix: snapshot ? snap('snap.tier').map((t) => ({ key: t.dim, count: t.v })) : null,
      active30: snapshot ? (snapshot.get('snap.active30|-|-') ?? 0) : null,
      repeatCustomers: snapshot ? (snapshot.get('snap.repeat|-|-') ?? 0) : null,
      cohorts: snapshot
        ? cohortSizes
            .map(({ dim: joinMonth, v: size }) => ({
              joinMonth,
              size,
              retention: cohortCells
                .filter((c) => c.dim.startsWith(`${joinMonth}|`))
                .map((c) => ({ month: c.dim.split('|')[1]!, active: c.v, share: share(c.v, size) ?? 0 }))
                .sort((a, b) => a.month.localeCompare(b.month)),
            }))
            .sort((a, b) => a.joinMonth.localeCompare(b.joinMonth))
        : null,
    },
    coupons: {
      claimed: brand(claimed),
      gifted: brand(sum('coupons.gifted')),
      redeemed,
      redemptionRate: storeView ? null : share(redeemed, claimed),
      withAmount: sum('coupons.withAmount'),
      salesFen,
      costFen,
      salesPerCost: ratio(salesFen, costFen),
      byCampaign: moneyRows(campaignOf, (id) => names.get(id)),
      byChannel: moneyRows(channelOf),
      byStore: moneyRows((f) => (f.store === '-' ? undefined : f.store)),
      flagged,
    },
    service: {
      openedByType: countBy(by('tickets.opened', (f) => f.dim)),
      opened: sum('tickets.opened'),
      firstResponse,
      resolution,
      breachedShare: share(firstResponse.breached + resolution.breached, firstResponse.count + resolution.count),
      complaints: {
        fromOfficialAccount: sum('complaints.oa'),
        escalated: sum('complaints.escalated'),
        firstHumanAnswer: { count: humanCount, averageMs: humanCount ? Math.round(sum('complaints.human.ms') / humanCount) : null },
      },
      csat: {
        count: csatN,
        average: csatN ? Math.round((csatTotal / csatN) * 100) / 100 : null,
        distribution: [1, 2, 3, 4, 5].map((stars) => ({ key: String(stars), count: csatCounts.get(String(stars)) ?? 0 })),
      },
    },
  };
}
