// The CRM's background passes, each on whichever instance holds its lease.
import { Types } from 'mongoose';
import { activeCustomerIdsPage, customersTouchedSince } from '../customers';
import type { PeriodicJob } from '../platform/jobs/periodic';
import type { WechatPlatform } from '../wechat/platform';
import { autoTagsNow, refreshCustomer } from './facts';
import { CrmState } from './model';
import { syncOfficialAccountTags } from './oaSync';
import { indexBuiltAt, rebuildSegmentIndex } from './segmentIndex';

/** Entries may land a little after their `at` (another instance's clock, a slow write): read back this far. */
const OVERLAP_MS = 2 * 60_000;
const SWEEP_PAGE = 500;
/** How old the segment index may grow before a pass rebuilds it. */
export const INDEX_MAX_AGE_MS = 5 * 60_000;

export interface RulesPassResult {
  touched: number;
  swept: number;
  /** Set when the pass rebuilt the segment index. */
  indexed?: { keys: number; memberships: number; chunks: number } | undefined;
}

/**
 * One rules pass: the customers with new timeline entries since the last pass, then the next page of
 * the sweep over everyone (time-based rules: inactive, birthday month, activity windows; and changes
 * that leave no entry on the customer's own timeline, such as a friend redeeming their gift).
 * `sweepAll` sweeps every page now (tests, and after rules change). The segment index is rebuilt when
 * it is older than INDEX_MAX_AGE_MS (and after a full sweep).
 */
export async function runRulesPass(now = new Date(), options: { sweepAll?: boolean } = {}): Promise<RulesPassResult> {
  const tags = await autoTagsNow();
  const mark = await CrmState.findById('rules:watermark').lean();
  const since = new Date((mark?.at?.getTime() ?? now.getTime() - 24 * 60 * 60_000) - OVERLAP_MS);
  const { customerIds, newest } = await customersTouchedSince(since);
  for (const id of customerIds) await refreshCustomer(id, now, tags);
  if (newest) await CrmState.updateOne({ _id: 'rules:watermark' }, { $set: { at: newest } }, { upsert: true });

  let swept = 0;
  const sweep = await CrmState.findById('rules:sweep').lean();
  let after = sweep?.cursor ? new Types.ObjectId(sweep.cursor) : undefined;
  do {
    const page = await activeCustomerIdsPage(after, SWEEP_PAGE);
    for (const id of page) await refreshCustomer(id, now, tags);
    swept += page.length;
    after = page.length === SWEEP_PAGE ? page.at(-1) : undefined;
  } while (options.sweepAll && after);
  await CrmState.updateOne({ _id: 'rules:sweep' }, after ? { $set: { cursor: after.toString() } } : { $unset: { cursor: 1 } }, {
    upsert: true,
  });
  const builtAt = await indexBuiltAt();
  const rebuild = options.sweepAll || !builtAt || now.getTime() - builtAt.getTime() >= INDEX_MAX_AGE_MS;
  const indexed = rebuild ? await rebuildSegmentIndex(now) : undefined;
  return { touched: customerIds.length, swept, indexed };
}

export const crmRulesJob: PeriodicJob = { name: 'crm.rules', intervalMs: 60_000, run: (now) => runRulesPass(now).then(() => undefined) };

export const crmTagSyncJob = (wechat: WechatPlatform): PeriodicJob => ({
  name: 'crm.oa-tag-sync',
  intervalMs: 60_000,
  run: (now) => syncOfficialAccountTags(wechat, now).then(() => undefined),
});
