// Anyone can stop marketing messages by replying 退订 or TD to the official account, and bring them
// back with 恢复. The customer's last word wins; the bot confirms either way.
import type { Types } from 'mongoose';
import { DEFAULT_LANGUAGE, translate } from '@shared/i18n';
import { appendTimeline } from '../customers';
import { MarketingPreference } from './model';

const STOP_WORDS = new Set(['退订', 'td']);
const RESUME_WORDS = new Set(['恢复']);

export type MarketingCommand = 'opt_out' | 'opt_in';

/** The follower's words as a marketing command, if they are one (the whole message, any case). */
export function marketingCommandOf(text: string): MarketingCommand | undefined {
  const word = text.trim().toLowerCase();
  if (STOP_WORDS.has(word)) return 'opt_out';
  if (RESUME_WORDS.has(word)) return 'opt_in';
  return undefined;
}

export async function isOptedOut(customerId: Types.ObjectId): Promise<boolean> {
  return !!(await MarketingPreference.findById(customerId, { optedOut: 1 }).lean())?.optedOut;
}

/** Which of these customers opted out (for a chunk of an outreach). */
export async function optedOutAmong(customerIds: Types.ObjectId[]): Promise<Set<string>> {
  const said = await MarketingPreference.find({ _id: { $in: customerIds } }, { optedOut: 1 }).lean();
  return new Set(said.filter((p) => p.optedOut).map((p) => String(p._id)));
}

export async function setMarketingPreference(customerId: Types.ObjectId, optedOut: boolean, at = new Date()): Promise<void> {
  await MarketingPreference.updateOne({ _id: customerId }, { $set: { optedOut, at } }, { upsert: true });
  await appendTimeline(customerId, {
    type: optedOut ? 'outreach.opted_out' : 'outreach.opted_in',
    channel: 'official_account',
    summary: optedOut ? 'Stopped marketing messages' : 'Receives marketing messages again',
    at,
  });
}

/**
 * The official-account reply path's hook: obeys 退订/TD/恢复 and answers with the confirmation;
 * undefined for any other text (the bot goes on with its own rules).
 */
export async function answerMarketingCommand(text: string, customerId: Types.ObjectId, at: Date): Promise<string | undefined> {
  const command = marketingCommandOf(text);
  if (!command) return undefined;
  await setMarketingPreference(customerId, command === 'opt_out', at);
  return translate(DEFAULT_LANGUAGE, command === 'opt_out' ? 'bot.marketingStopped' : 'bot.marketingResumed');
}
