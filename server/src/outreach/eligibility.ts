// Who can be reached, and how, inside WeChat's rules: a customer-service message while the official
// account's 48-hour window is open (the follower wrote, clicked, scanned or followed lately and still
// follows), else the one subscribe message they accepted for brand news, else nothing, with the reason.
import type { Types } from 'mongoose';
import { SUBSCRIBE_TEMPLATES } from '@shared/api/members';
import type { OutreachChannel, SkipReason } from '@shared/api/outreach';
import { OA_INBOUND_TYPES } from '../aftersale';
import { reachabilityOf } from '../customers';
import { unusedAcceptancesOf } from '../members';
import { placesTakenOf } from './frequency';
import { optedOutAmong } from './optOut';

export const CUSTOMER_SERVICE_WINDOW_MS = 48 * 60 * 60 * 1000;
/** The subscribe-message template a member accepts to hear brand news (one send per acceptance). */
export const MARKETING_TEMPLATE = SUBSCRIBE_TEMPLATES.brandNews;

export interface ReachFacts {
  exists: boolean;
  optedOut: boolean;
  oaOpenid?: string | undefined;
  following: boolean;
  lastOaInboundAt?: Date | undefined;
  mpOpenid?: string | undefined;
  unusedSubscriptions: Types.ObjectId[];
  /** Marketing messages already sent this period, and how many the period allows. */
  placesTaken: number;
  cap: number;
}

export type Plan =
  | { channel: 'customer_service'; openid: string }
  | { channel: 'subscribe'; openid: string; acceptances: Types.ObjectId[] }
  | { channel: null; reason: SkipReason };

/** The rules, on facts already gathered: pure, so preview and send decide the same way. */
export function decide(facts: ReachFacts, now: Date): Plan {
  if (!facts.exists) return { channel: null, reason: 'unknown_customer' };
  if (facts.optedOut) return { channel: null, reason: 'opted_out' };
  const windowOpen =
    !!facts.oaOpenid &&
    facts.following &&
    !!facts.lastOaInboundAt &&
    now.getTime() - facts.lastOaInboundAt.getTime() <= CUSTOMER_SERVICE_WINDOW_MS;
  let plan: Plan;
  if (windowOpen) plan = { channel: 'customer_service', openid: facts.oaOpenid! };
  else if (facts.mpOpenid && facts.unusedSubscriptions.length) {
    plan = { channel: 'subscribe', openid: facts.mpOpenid, acceptances: facts.unusedSubscriptions };
  } else if (facts.oaOpenid && !facts.following) return { channel: null, reason: 'not_following' };
  else return { channel: null, reason: 'no_window_no_subscription' };
  if (facts.placesTaken >= facts.cap) return { channel: null, reason: 'frequency_cap' };
  return plan;
}

/** Everything `decide` needs about many customers, in a few queries (a chunk of an outreach, a preview). */
export async function gatherFacts(customerIds: Types.ObjectId[], cap: number, now: Date): Promise<Map<string, ReachFacts>> {
  const [reach, unused, optedOut, taken] = await Promise.all([
    reachabilityOf(customerIds, OA_INBOUND_TYPES),
    unusedAcceptancesOf(customerIds, MARKETING_TEMPLATE),
    optedOutAmong(customerIds),
    placesTakenOf(customerIds, cap, now),
  ]);
  const facts = new Map<string, ReachFacts>();
  for (const id of customerIds.map(String)) {
    const r = reach.get(id);
    if (!r || r.customer.status !== 'active') {
      facts.set(id, { exists: false, optedOut: false, following: false, unusedSubscriptions: [], placesTaken: 0, cap });
      continue;
    }
    facts.set(id, {
      exists: true,
      optedOut: optedOut.has(id),
      oaOpenid: r.identities.find((i) => i.kind === 'oa_openid')?.value,
      following: !!r.customer.officialAccount?.following,
      lastOaInboundAt: r.lastInboundAt,
      mpOpenid: r.identities.find((i) => i.kind === 'mp_openid')?.value,
      unusedSubscriptions: unused.get(id) ?? [],
      placesTaken: taken.get(id) ?? 0,
      cap,
    });
  }
  return facts;
}

export const channelOf = (plan: Plan): OutreachChannel | null => plan.channel;
