// The dashboard as CSV: the figures (section, metric, key, value), then the daily series. UTF-8
// with a byte-order mark, so spreadsheet programs read the Chinese labels right.
import type { DashboardDay, DashboardReport } from '@shared/api/analytics';

const cell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  // Quote what would break a row, and defuse formulas (a leading = + - @ runs in spreadsheets).
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
const row = (...cells: unknown[]) => cells.map(cell).join(',');

const SERIES_COLUMNS: Array<keyof DashboardDay> = [
  'day',
  'messagesIn',
  'repliesBot',
  'repliesStaff',
  'follows',
  'unfollows',
  'joins',
  'claimed',
  'gifted',
  'redeemed',
  'salesFen',
  'costFen',
  'ticketsOpened',
  'active30',
];

export function dashboardCsv(report: DashboardReport): string {
  const lines: string[] = [];
  lines.push(row('section', 'metric', 'key', 'value'));
  const add = (section: string, metric: string, key: string, value: unknown) => lines.push(row(section, metric, key, value));
  add('range', 'from', '', report.range.from);
  add('range', 'to', '', report.range.to);
  add('range', 'store', '', report.storeId ?? 'all');
  add('range', 'rolledThrough', '', report.rolledThrough);
  for (const [rule, text] of Object.entries(report.attribution)) add('attribution', rule, '', text);

  const i = report.interactions;
  add('interactions', 'messagesIn', '', i.messagesIn);
  add('interactions', 'repliesBot', '', i.repliesBot);
  add('interactions', 'repliesStaff', '', i.repliesStaff);
  add('interactions', 'answeredWithin5sShare', '', i.answeredWithin5s?.share);
  add('interactions', 'follows', '', i.follows);
  add('interactions', 'unfollows', '', i.unfollows);
  for (const c of i.followsByChannel) add('interactions', 'followsByChannel', c.key, c.count);
  for (const c of i.unfollowsByChannel) add('interactions', 'unfollowsByChannel', c.key, c.count);
  for (const c of i.acquiredByChannel) add('interactions', 'acquiredByChannel', c.key, c.count);
  for (const s of i.byStoreQr) {
    add('interactions', 'storeQrFollows', s.storeId, s.follows);
    add('interactions', 'storeQrUnfollows', s.storeId, s.unfollows);
  }

  const m = report.members;
  add('members', 'joins', '', m.joins);
  add('members', 'asOf', '', m.asOf);
  add('members', 'active30', '', m.active30);
  add('members', 'repeatCustomers', '', m.repeatCustomers);
  for (const t of m.tierMix ?? []) add('members', 'tier', t.key, t.count);
  for (const c of m.cohorts ?? []) {
    add('members', 'cohortSize', c.joinMonth, c.size);
    for (const r of c.retention) add('members', 'cohortActive', `${c.joinMonth}>${r.month}`, r.active);
  }

  const k = report.coupons;
  for (const metric of ['claimed', 'gifted', 'redeemed', 'redemptionRate', 'withAmount', 'salesFen', 'costFen', 'salesPerCost'] as const) {
    add('coupons', metric, '', k[metric]);
  }
  add('coupons', 'flaggedClaims', '', k.flagged?.claims);
  add('coupons', 'flaggedGifts', '', k.flagged?.gifts);
  add('coupons', 'flaggedFollows', '', k.flagged?.follows);
  for (const [group, rows] of [
    ['campaign', k.byCampaign],
    ['channel', k.byChannel],
    ['store', k.byStore],
  ] as const) {
    for (const r of rows) {
      const key = r.label ? `${r.key} ${r.label}` : r.key;
      add('coupons', `${group}.redeemed`, key, r.redeemed);
      add('coupons', `${group}.salesFen`, key, r.salesFen);
      add('coupons', `${group}.costFen`, key, r.costFen);
      add('coupons', `${group}.salesPerCost`, key, r.salesPerCost);
    }
  }

  const s = report.service;
  add('service', 'opened', '', s.opened);
  for (const c of s.openedByType) add('service', 'openedByType', c.key, c.count);
  for (const [name, clock] of [
    ['firstResponse', s.firstResponse],
    ['resolution', s.resolution],
  ] as const) {
    add('service', `${name}.count`, '', clock.count);
    add('service', `${name}.averageMs`, '', clock.averageMs);
    add('service', `${name}.breached`, '', clock.breached);
  }
  add('service', 'breachedShare', '', s.breachedShare);
  add('service', 'complaintsFromOfficialAccount', '', s.complaints.fromOfficialAccount);
  add('service', 'complaintsEscalated', '', s.complaints.escalated);
  add('service', 'firstHumanAnswerAverageMs', '', s.complaints.firstHumanAnswer.averageMs);
  add('service', 'csatCount', '', s.csat.count);
  add('service', 'csatAverage', '', s.csat.average);
  for (const c of s.csat.distribution) add('service', 'csatStars', c.key, c.count);

  lines.push('');
  lines.push(row(...SERIES_COLUMNS));
  for (const day of report.series) lines.push(row(...SERIES_COLUMNS.map((c) => day[c])));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
