import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_LANGUAGE, translate } from '@shared/i18n';
import type { Types } from 'mongoose';
import type { PassiveReply } from '@shared/officialAccount';
import { appendTimeline, appendTimelineEntries, resolveCustomer, type TimelineInput } from '../customers';
import { createBatcher, insertEach } from '../platform/db/batch';
import type { Logger } from '../platform/logger';
import { officialAccount as oaMetrics } from '../platform/metrics';
import type { CustomMessage } from '../wechat/platform';
import { deliveryKey, type InboundMessage } from '../wechat/protocol';
import type { MessageRouter } from './bot';
import { Delivery, DeliveryAnswer } from './model';

// One push from claim to answer. The platform gives up after 5 s and retries the same push twice:
// the first attempt on any instance claims the delivery key and runs the bot under a deadline;
// retries and concurrent duplicates run nothing and get the stored answer.
//
// Nothing on this path reads and then rewrites a document. Concurrent pushes share their writes:
// claims that arrive while earlier ones are being written go out as one unordered insertMany (each learns from
// its own duplicate-key result whether it won), and so do the stored answers and timeline entries.
// Checks that refuse a push (replay window, signature) belong before `deliver`: a refused push
// claims nothing.

export interface DeliveryOptions {
  bot: MessageRouter;
  /** Handlers get this long; past it the endpoint answers `success` and the reply goes out later. */
  deadlineMs: number;
  /** Sends a customer-service message (for replies that missed the deadline). */
  sendCustomMessage: ((message: CustomMessage) => Promise<void>) | undefined;
  log: Logger;
}

/** The reply to send now, or undefined for `success`. */
export async function deliver(message: InboundMessage, options: DeliveryOptions): Promise<PassiveReply | undefined> {
  const key = deliveryKey(message);
  const claimed = await claim(key);
  if (!claimed) {
    oaMetrics.dedupeHits.inc();
    return storedReply(key, options.deadlineMs);
  }

  // One synchronous decision point: either the handlers finish before the deadline (the reply goes
  // out passively) or the deadline passes first (answer `success` now, reply later).
  const gate: Gate = { late: false, decided: false };
  let decideInTime!: () => void;
  let decideLate!: () => void;
  const decided = new Promise<'in-time' | 'late'>((resolve) => {
    decideInTime = () => resolve('in-time');
    decideLate = () => resolve('late');
  });
  const timer = setTimeout(() => {
    if (gate.decided) return;
    gate.decided = true;
    gate.late = true;
    decideLate();
  }, options.deadlineMs);
  const work = run(message, key, options, gate, () => {
    clearTimeout(timer);
    decideInTime();
  });

  if ((await decided) === 'in-time') {
    const result = await work;
    oaMetrics.deliveries.inc({ outcome: result.failed ? 'failed' : 'in_time' });
    return result.reply;
  }
  oaMetrics.deliveries.inc({ outcome: 'late' });
  options.log.warn({ key, type: message.type, deadlineMs: options.deadlineMs }, 'handler missed the reply deadline; answering later');
  void work.then((result) => result.lateDelivery?.()).catch((err) => options.log.error({ err }, 'late reply failed'));
  return undefined;
}

interface Gate {
  late: boolean;
  decided: boolean;
}

/** Batched round trips of claims (and of answers) in flight at once. */
const ROUND_TRIPS = 2;

const claimBatch = createBatcher<{ _id: string; createdAt: Date }, boolean>({
  maxInFlight: ROUND_TRIPS,
  maxSize: 256,
  flush: async (docs) => (await insertEach(Delivery, docs)).map((o) => (o instanceof Error ? o : o === 'inserted')),
});

interface AnswerDoc {
  _id: string;
  state: 'done' | 'late' | 'failed';
  reply: PassiveReply | null;
  customerId?: Types.ObjectId;
  createdAt: Date;
}

// A duplicate answer can only be this attempt's own answer written before (nothing else writes the
// key once the claim is won), so it counts as written.
const answerBatch = createBatcher<AnswerDoc, void>({
  maxInFlight: ROUND_TRIPS,
  maxSize: 256,
  flush: async (docs) =>
    (await insertEach(DeliveryAnswer, docs as unknown as Array<Record<string, unknown>>)).map((o) => (o instanceof Error ? o : undefined)),
});

/** True when this attempt is the one that runs the handlers for the key. */
async function claim(key: string): Promise<boolean> {
  return claimBatch({ _id: key, createdAt: new Date() });
}

function storeAnswer(key: string, state: AnswerDoc['state'], reply: PassiveReply | undefined, customerId?: Types.ObjectId): Promise<void> {
  return answerBatch({ _id: key, state, reply: reply ?? null, ...(customerId ? { customerId } : {}), createdAt: new Date() });
}

const POLL_MIN_MS = 25;
const POLL_MAX_MS = 200;

/** Copies of one push waiting on this instance share one poll of its answer. */
const waiting = new Map<string, Promise<PassiveReply | undefined>>();

/** A retry's answer: the first attempt's reply once it is stored, `success` if it is not ready in time. */
function storedReply(key: string, waitMs: number): Promise<PassiveReply | undefined> {
  let shared = waiting.get(key);
  if (!shared) {
    shared = pollAnswer(key, waitMs).finally(() => waiting.delete(key));
    waiting.set(key, shared);
  }
  return shared;
}

async function pollAnswer(key: string, waitMs: number): Promise<PassiveReply | undefined> {
  const until = Date.now() + waitMs;
  for (let pause = POLL_MIN_MS; ; pause = Math.min(POLL_MAX_MS, pause * 2)) {
    const answer = await DeliveryAnswer.findById(key, { state: 1, reply: 1 }).lean();
    if (answer) return answer.state === 'done' ? ((answer.reply as PassiveReply | null) ?? undefined) : undefined;
    if (Date.now() + pause > until) return undefined;
    await sleep(pause);
  }
}

interface RunResult {
  reply: PassiveReply | undefined;
  /** The handlers threw: the follower got `success`. */
  failed?: boolean;
  /** Set when the reply must go out as a customer-service message because the deadline passed. */
  lateDelivery?: () => Promise<void>;
}

async function run(message: InboundMessage, key: string, options: DeliveryOptions, gate: Gate, onInTime: () => void): Promise<RunResult> {
  const settle = () => {
    if (gate.decided) return;
    gate.decided = true;
    onInTime();
  };
  const receivedAt = new Date();
  try {
    const customerId = await resolveCustomer({ app: 'official_account', openid: message.fromUserName });
    const notes: Record<string, unknown> = {};
    if (message.type === 'unknown')
      options.log.info({ msgType: message.msgType, event: message.event }, 'unknown push type; answered success');
    const reply = await options.bot.route({ message, customerId, notes });
    settle();
    const late = gate.late;
    // Independent writes, run together; the reply's later `at` keeps it after the message on the timeline.
    const entries = [inboundEntry(message, notes, receivedAt)];
    if (!late && reply) entries.push({ ...replyEntry(reply, 'passive'), at: new Date(Math.max(Date.now(), receivedAt.getTime() + 1)) });
    await Promise.all([appendTimelineEntries(customerId, entries), storeAnswer(key, late ? 'late' : 'done', reply, customerId)]);
    if (late) return { reply, lateDelivery: () => deliverLate(message, customerId, reply, options) };
    return { reply };
  } catch (err) {
    settle();
    options.log.error({ err, key, type: message.type }, 'push handler failed; answered success');
    await storeAnswer(key, 'failed', undefined).catch(() => undefined);
    return { reply: undefined, failed: true };
  }
}

async function deliverLate(message: InboundMessage, customerId: Types.ObjectId, reply: PassiveReply | undefined, options: DeliveryOptions) {
  if (!reply) return;
  const custom = toCustomMessage(message.fromUserName, reply);
  if (!custom || !options.sendCustomMessage) {
    options.log.warn({ type: reply.type }, 'late reply cannot go out as a customer-service message');
    return;
  }
  try {
    await options.sendCustomMessage(custom);
    oaMetrics.lateReplies.inc({ result: 'sent' });
    await appendTimeline(customerId, replyEntry(reply, 'customer_service'));
  } catch (err) {
    oaMetrics.lateReplies.inc({ result: 'failed' });
    options.log.error({ err }, 'late customer-service reply failed');
    await appendTimeline(customerId, {
      type: 'oa.reply_failed',
      channel: 'official_account',
      summary: 'Late reply could not be sent',
      data: { reply, error: (err as Error).message },
    }).catch(() => undefined);
  }
}

/** A passive reply as a customer-service message (text and news; a hand-over becomes a note to the follower). */
export function toCustomMessage(touser: string, reply: PassiveReply): CustomMessage | undefined {
  switch (reply.type) {
    case 'text':
      return { touser, msgtype: 'text', text: { content: reply.content } };
    case 'news':
      return {
        touser,
        msgtype: 'news',
        news: {
          articles: reply.articles.slice(0, 1).map((a) => ({
            title: a.title,
            ...(a.description ? { description: a.description } : {}),
            ...(a.url ? { url: a.url } : {}),
            ...(a.picUrl ? { picurl: a.picUrl } : {}),
          })),
        },
      };
    case 'image':
      return { touser, msgtype: 'image', image: { media_id: reply.mediaId } };
    case 'transfer_customer_service':
      return { touser, msgtype: 'text', text: { content: translate(DEFAULT_LANGUAGE, 'bot.transfer') } };
    default:
      return undefined;
  }
}

function inboundEntry(message: InboundMessage, notes: Record<string, unknown>, receivedAt: Date): TimelineInput {
  const { toUserName: _to, fromUserName: _from, isEvent, ...fields } = message;
  return {
    type: isEvent ? 'oa.event' : 'oa.message',
    channel: 'official_account' as const,
    summary: summarize(message),
    // Receipt time, not CreateTime (whole seconds): keeps a message ahead of its reply on the timeline.
    at: receivedAt,
    data: { ...fields, ...notes },
  };
}

function replyEntry(reply: PassiveReply, via: 'passive' | 'customer_service'): TimelineInput {
  return {
    type: 'oa.reply',
    channel: 'official_account' as const,
    summary: reply.type === 'text' ? reply.content.slice(0, 80) : reply.type === 'news' ? (reply.articles[0]?.title ?? 'news') : reply.type,
    data: { reply, via },
  };
}

function summarize(message: InboundMessage): string {
  switch (message.type) {
    case 'text':
      return message.content.slice(0, 80);
    case 'voice':
      return message.recognition ? `voice: ${message.recognition.slice(0, 70)}` : 'voice';
    case 'location':
      return `location ${message.latitude},${message.longitude}${message.label ? ` ${message.label}` : ''}`;
    case 'link':
      return `link: ${message.title}`;
    case 'subscribe':
      return message.scene ? `followed (${message.scene})` : 'followed';
    case 'unsubscribe':
      return 'unfollowed';
    case 'SCAN':
      return `scanned ${message.scene}`;
    case 'LOCATION':
      return `reported location ${message.latitude},${message.longitude}`;
    case 'CLICK':
      return `menu ${message.eventKey}`;
    case 'VIEW':
      return `opened ${message.url}`;
    case 'TEMPLATESENDJOBFINISH':
      return `template message ${message.status}`;
    case 'unknown':
      return `unknown ${message.msgType}${message.event ? `/${message.event}` : ''}`;
    default:
      return message.type;
  }
}
