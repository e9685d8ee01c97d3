// Who can be reached, and how, inside WeChat's rules: a customer-service message while the official
// account's 48-hour window is open (the follower wrote, clicked, scanned or followed lately and still
// follows), else the one subscribe message they accepted for brand news, else nothing, with the reason.
import type { Types } from 'mongoose';
import { SUBSCRIBE_TEMPLATES } from '@shared/api/members';
import type { OutreachChannel, SkipReason } from '@shared/api/outreach';
import { OA_INBOUND_TYPES } from '../aftersale';
import { getCustomer, listIdentities, listTimeline } from '../customers';
import { unusedAcceptances } from '../members';
import { placesTaken } from './frequency';
import { isOptedOut } from './optOut';

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

/** Everything `decide` needs about one customer (a handful of indexed lookups). */
export async function gatherFacts(customerId: Types.ObjectId, cap: number, now: Date): Promise<ReachFacts> {
  const customer = await getCustomer(customerId);
  if (!customer || customer.status !== 'active') {
    return { exists: false, optedOut: false, following: false, unusedSubscriptions: [], placesTaken: 0, cap };
  }
  const [identities, lastInbound, unused, optedOut, taken] = await Promise.all([
    listIdentities(customerId),
    listTimeline(customerId, { types: OA_INBOUND_TYPES, limit: 1 }),
    unusedAcceptances(customerId, MARKETING_TEMPLATE),
    isOptedOut(customerId),
    placesTaken(customerId, cap, now),
  ]);
  return {
    exists: true,
    optedOut,
    oaOpenid: identities.find((i) => i.kind === 'oa_openid')?.value,
    following: !!customer.officialAccount?.following,
    lastOaInboundAt: lastInbound[0]?.at,
    mpOpenid: identities.find((i) => i.kind === 'mp_openid')?.value,
    unusedSubscriptions: unused,
    placesTaken: taken,
    cap,
  };
}

export const channelOf = (plan: Plan): OutreachChannel | null => plan.channel;
