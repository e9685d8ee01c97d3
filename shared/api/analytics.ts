import { z } from 'zod';
import { objectId } from './common';

// The analytics dashboard: GET /api/v1/analytics/dashboard (JSON) and …/dashboard.csv (the same
// figures as CSV). Admins see every store or one; managers their own store; clerks are refused.

/** A calendar day in Asia/Shanghai. */
export const dayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00+08:00`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
    message: 'must be a real calendar day',
  });

/** The longest range one request may ask for. */
export const DASHBOARD_MAX_DAYS = 366;

export const dashboardQuery = z
  .object({
    /** First day of the range (Asia/Shanghai), inclusive. */
    from: dayString,
    /** Last day of the range (Asia/Shanghai), inclusive. */
    to: dayString,
    /** One store; absent: every store (admins), or the manager's own store. */
    storeId: objectId.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    const days = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / 86_400_000 + 1;
    if (days > DASHBOARD_MAX_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may span at most ${DASHBOARD_MAX_DAYS} days` });
  });
export type DashboardQuery = z.infer<typeof dashboardQuery>;

/** The rules the dashboard counts by, stated in every answer and on the page. */
export const ATTRIBUTION_RULES = {
  redemption:
    "A redemption belongs to its coupon's campaign and to the channel the coupon was claimed through (a gifted coupon keeps its claimer's channel), and to the store where it was used.",
  acquisition:
    "A follower's acquisition channel is their first recorded official-account touch: a follow from a store's QR code (store_qr, that store), another QR scene (qr), a keyword reply (keyword), a menu click (menu), any other message (message), or a follow with no scene, e.g. from search (search).",
  days: 'Days are Asia/Shanghai calendar days. Facts count on the day they happen: a first response or a resolution on the day it was given, a rating on the day it was left.',
  live: 'Closed days come from daily rollups; days not rolled up yet (today, and yesterday in the first hour) are counted live from the timeline.',
} as const;

export const ACQUISITION_CHANNELS = ['store_qr', 'qr', 'keyword', 'menu', 'message', 'search'] as const;
export type AcquisitionChannel = (typeof ACQUISITION_CHANNELS)[number];

export interface DashboardDay {
  day: string;
  messagesIn: number;
  repliesBot: number;
  repliesStaff: number;
  follows: number;
  unfollows: number;
  joins: number;
  claimed: number;
  gifted: number;
  redeemed: number;
  salesFen: number;
  costFen: number;
  ticketsOpened: number;
  /** Members with any touch in the 30 days up to this day; null for days not rolled up yet and in a store's view. */
  active30: number | null;
}

export interface CountBy {
  key: string;
  count: number;
}

export interface MoneyRow {
  key: string;
  /** For rows by campaign: its name. */
  label?: string;
  redeemed: number;
  /** Redemptions whose order amount was entered (the others add nothing to sales). */
  withAmount: number;
  salesFen: number;
  costFen: number;
  /** Sales ÷ discount cost; null when nothing was given away. */
  salesPerCost: number | null;
  claimed: number;
  gifted: number;
}

export interface ClockStats {
  count: number;
  averageMs: number | null;
  breached: number;
  breachedShare: number | null;
}

export interface DashboardReport {
  range: { from: string; to: string; days: number };
  /** null: every store. */
  storeId: string | null;
  generatedAt: string;
  /** The last day whose rollup is written, if any; later days of the range are counted live. */
  rolledThrough: string | null;
  liveDays: string[];
  attribution: typeof ATTRIBUTION_RULES;
  series: DashboardDay[];
  interactions: {
    /** Brand-wide facts (no store): null in a store's view. */
    messagesIn: number | null;
    repliesBot: number | null;
    repliesStaff: number | null;
    /** Bot answers given within the platform's 5-second window (passive replies) ÷ all bot answers. */
    answeredWithin5s: { count: number; of: number; share: number | null } | null;
    follows: number;
    unfollows: number;
    followsByChannel: CountBy[];
    unfollowsByChannel: CountBy[];
    /** New followers by first touch; counted in rollups (closed days) only. */
    acquiredByChannel: CountBy[];
    byStoreQr: Array<{ storeId: string; follows: number; unfollows: number }>;
  };
  members: {
    joins: number | null;
    /** As of `asOf` (the last rolled-up day in the range); null in a store's view or before any rollup. */
    asOf: string | null;
    tierMix: CountBy[] | null;
    active30: number | null;
    repeatCustomers: number | null;
    cohorts: Array<{ joinMonth: string; size: number; retention: Array<{ month: string; active: number; share: number }> }> | null;
  };
  coupons: {
    /** Claims and gifts happen at no store: null in a store's view. */
    claimed: number | null;
    gifted: number | null;
    redeemed: number;
    redemptionRate: number | null;
    withAmount: number;
    salesFen: number;
    costFen: number;
    salesPerCost: number | null;
    byCampaign: MoneyRow[];
    byChannel: MoneyRow[];
    byStore: MoneyRow[];
    /** Real vs flagged engagement; null when the flagged source is not available. */
    flagged: { claims: number; gifts: number; follows: number } | null;
  };
  service: {
    openedByType: CountBy[];
    opened: number;
    firstResponse: ClockStats;
    resolution: ClockStats;
    /** Breached clocks ÷ all clocks (first responses and resolutions) given in the range. */
    breachedShare: number | null;
    complaints: { fromOfficialAccount: number; escalated: number; firstHumanAnswer: { count: number; averageMs: number | null } };
    csat: { count: number; average: number | null; distribution: CountBy[] };
  };
}
