// Sending one recipient, at most once. The attempt is recorded (unique outreach + customer) BEFORE
// the platform is called, so no crash, restart or second instance can send twice: a crash between
// the call and the result leaves the attempt `sending`, which the next sender turns into `failed`
// with reason `interrupted` without sending again. We chose at-most-once: a marketing message sent
// twice annoys the customer and counts against the account; one lost to a crash is only recorded.
import { setTimeout as sleep } from 'node:timers/promises';
import { Types } from 'mongoose';
import type { OutreachChannel, RecipientStatus, SkipReason } from '@shared/api/outreach';
import { clip } from '../aftersale';
import { appendTimeline } from '../customers';
import { spendAcceptance } from '../members';
import { insertEach, toStored } from '../platform/db/batch';
import { WechatApiError, WechatTransportError, type WechatPlatform } from '../wechat/platform';
import { decide, gatherFacts, MARKETING_TEMPLATE, type Plan } from './eligibility';
import { releasePlace, takePlace } from './frequency';
import { OutreachDelivery, type OutreachDeliveryDoc, type OutreachDoc } from './model';

/** Errcodes after which the platform wants us to slow down and try again: busy, quotas. */
export const BACK_OFF_ERRCODES: readonly number[] = [-1, 45009, 45011];
const FIRST_BACK_OFF_MS = 500;
const MAX_BACK_OFF_MS = 60_000;
const MAX_TRIES = 8;

/** Shared by every send of one pass: when the platform says "slow down", all of them wait. */
export class Throttle {
  private until = 0;
  private streak = 0;
  constructor(private readonly aborted: () => boolean) {}

  async ready(): Promise<void> {
    while (!this.aborted() && Date.now() < this.until) await sleep(Math.min(250, this.until - Date.now()));
  }
  /** Another refusal: the wait doubles (with jitter), up to a minute. */
  slowDown(): void {
    const wait = Math.min(MAX_BACK_OFF_MS, FIRST_BACK_OFF_MS * 2 ** this.streak) * (0.75 + Math.random() / 2);
    this.streak = Math.min(this.streak + 1, 10);
    this.until = Math.max(this.until, Date.now() + wait);
  }
  succeeded(): void {
    this.streak = 0;
  }
  backOffs = 0;
}

export interface SendContext {
  wechat: WechatPlatform;
  outreach: Pick<OutreachDoc, '_id' | 'name' | 'text'>;
  cap: number;
  throttle: Throttle;
  aborted: () => boolean;
}

export interface RecipientOutcome {
  status: RecipientStatus;
  reason?: SkipReason | 'interrupted' | 'unreachable' | undefined;
}

/** The platform call for a plan: retried with back-off while the platform asks us to slow down. */
async function callPlatform(
  ctx: SendContext,
  plan: Exclude<Plan, { channel: null }>,
): Promise<{ ok: true } | { ok: false; errcode?: number }> {
  for (let tries = 1; ; tries++) {
    await ctx.throttle.ready();
    try {
      if (plan.channel === 'customer_service') {
        await ctx.wechat.officialAccount.sendCustomMessage({ touser: plan.openid, msgtype: 'text', text: { content: ctx.outreach.text } });
      } else {
        await ctx.wechat.miniProgram.sendSubscribeMessage({
          touser: plan.openid,
          template_id: MARKETING_TEMPLATE,
          page: 'pages/index/index',
          data: { thing1: { value: clip(ctx.outreach.name, 20) }, thing2: { value: clip(ctx.outreach.text, 20) } },
        });
      }
      ctx.throttle.succeeded();
      return { ok: true };
    } catch (err) {
      const again =
        (err instanceof WechatApiError && BACK_OFF_ERRCODES.includes(err.errcode)) ||
        // Refused before it reached the platform: nothing was sent, so trying again cannot duplicate.
        (err instanceof WechatTransportError && !err.timedOut);
      if (again && tries < MAX_TRIES && !ctx.aborted()) {
        ctx.throttle.backOffs++;
        ctx.throttle.slowDown();
        continue;
      }
      if (err instanceof WechatApiError) return { ok: false, errcode: err.errcode };
      if (err instanceof WechatTransportError) return { ok: false };
      throw err;
    }
  }
}

const timelineChannel = (channel: OutreachChannel | null) =>
  channel === 'customer_service' ? 'official_account' : channel === 'subscribe' ? 'mini_program' : 'system';

async function record(
  ctx: SendContext,
  customerId: Types.ObjectId,
  result: { status: RecipientStatus; channel: OutreachChannel | null; reason?: string | undefined; errcode?: number | undefined },
  at: Date,
): Promise<void> {
  const set: Record<string, unknown> = { status: result.status, channel: result.channel, at };
  if (result.reason) set.reason = result.reason;
  if (result.errcode !== undefined) set.errcode = result.errcode;
  await OutreachDelivery.updateOne({ outreachId: ctx.outreach._id, customerId }, { $set: set });
  await timelineEntry(ctx, customerId, result, at);
}

async function timelineEntry(
  ctx: SendContext,
  customerId: Types.ObjectId,
  result: { status: RecipientStatus; channel: OutreachChannel | null; reason?: string | undefined; errcode?: number | undefined },
  at: Date,
): Promise<void> {
  const said = { sent: '已发送', failed: '发送失败', skipped: '未发送' }[result.status];
  await appendTimeline(customerId, {
    sourceKey: `outreach:${String(ctx.outreach._id)}:${String(customerId)}`,
    type: `outreach.${result.status}`,
    channel: timelineChannel(result.channel),
    summary: `群发「${ctx.outreach.name}」${said}${result.reason ? `（${result.reason}）` : ''}`,
    data: {
      outreachId: String(ctx.outreach._id),
      status: result.status,
      channel: result.channel,
      ...(result.reason ? { reason: result.reason } : {}),
      ...(result.errcode !== undefined ? { errcode: result.errcode } : {}),
    },
    at,
  });
}

/**
 * Finishes an attempt found already recorded (a retry of a chunk after a crash or a lost lease):
 * never sends; an attempt left `sending` is closed as failed, reason `interrupted`.
 */
async function settleExisting(ctx: SendContext, customerId: Types.ObjectId): Promise<RecipientOutcome> {
  const existing = await OutreachDelivery.findOne({ outreachId: ctx.outreach._id, customerId }).lean<OutreachDeliveryDoc>();
  if (!existing) throw new Error('an attempt collided but cannot be read');
  if (existing.status !== 'sending') {
    const { status, channel, reason, errcode } = existing;
    await timelineEntry(
      ctx,
      customerId,
      { status, channel: channel ?? null, reason: reason ?? undefined, errcode: errcode ?? undefined },
      existing.at,
    );
    return { status: existing.status, reason: existing.reason as RecipientOutcome['reason'] };
  }
  const result = { status: 'failed' as const, channel: existing.channel ?? null, reason: 'interrupted' };
  await record(ctx, customerId, result, new Date());
  return { status: 'failed', reason: 'interrupted' };
}

/** Sends one recipient whose attempt this sender has just recorded (it is ours alone). */
async function sendAttempt(
  ctx: SendContext,
  customerId: Types.ObjectId,
  plan: Exclude<Plan, { channel: null }>,
  now: Date,
): Promise<RecipientOutcome> {
  const skip = async (reason: SkipReason, place?: string) => {
    if (place) await releasePlace(place);
    await record(ctx, customerId, { status: 'skipped', channel: null, reason }, new Date());
    return { status: 'skipped' as const, reason };
  };
  const place = await takePlace(customerId, ctx.outreach._id, ctx.cap, now);
  if (!place) return skip('frequency_cap');
  if (plan.channel === 'subscribe' && !(await spendAcceptance(customerId, plan.acceptances, now))) {
    return skip('no_window_no_subscription', place);
  }
  const outcome = await callPlatform(ctx, plan);
  if (outcome.ok) {
    await record(ctx, customerId, { status: 'sent', channel: plan.channel }, new Date());
    return { status: 'sent' };
  }
  await releasePlace(place);
  const reason = outcome.errcode === undefined ? 'unreachable' : undefined;
  await record(ctx, customerId, { status: 'failed', channel: plan.channel, reason, errcode: outcome.errcode }, new Date());
  return { status: 'failed', reason };
}

/**
 * Decides, records and (when allowed) sends a chunk of recipients. Safe to run again for the same
 * chunk: recipients already attempted are only settled, never sent again. Undefined when `stop()`
 * cut it short (the next sender redoes the chunk).
 */
export async function reachChunk(
  ctx: SendContext,
  customerIds: Types.ObjectId[],
  concurrency: number,
  now = new Date(),
): Promise<RecipientOutcome[] | undefined> {
  const facts = await gatherFacts(customerIds, ctx.cap, now);
  const plans = customerIds.map((id) => decide(facts.get(String(id))!, now));
  const attemptOf = (i: number) => {
    const plan = plans[i]!;
    return toStored(OutreachDelivery, {
      outreachId: ctx.outreach._id,
      customerId: customerIds[i],
      status: plan.channel ? 'sending' : 'skipped',
      channel: plan.channel,
      ...(plan.channel ? {} : { reason: plan.reason }),
      at: now,
    });
  };
  const outcomes: RecipientOutcome[] = new Array(customerIds.length);
  // Skips are recorded together; the unique index tells which were recorded by an earlier sender.
  const skips = plans.flatMap((plan, i) => (plan.channel ? [] : [i]));
  const inserted = await insertEach(OutreachDelivery, skips.map(attemptOf));
  await Promise.all(
    skips.map(async (i, k) => {
      const result = inserted[k];
      const plan = plans[i] as Extract<Plan, { channel: null }>;
      if (result instanceof Error) throw result;
      if (result === 'duplicate') outcomes[i] = await settleExisting(ctx, customerIds[i]!);
      else {
        await timelineEntry(ctx, customerIds[i]!, { status: 'skipped', channel: null, reason: plan.reason }, now);
        outcomes[i] = { status: 'skipped', reason: plan.reason };
      }
    }),
  );
  // Each send's attempt is recorded just before its platform call: a crash interrupts at most
  // `concurrency` of them (closed as `interrupted`, never sent again).
  const toSend = plans.flatMap((plan, i) => (plan.channel ? [i] : []));
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < toSend.length && !ctx.aborted()) {
      const i = toSend[next++]!;
      const [result] = await insertEach(OutreachDelivery, [attemptOf(i)]);
      if (result instanceof Error) throw result;
      outcomes[i] =
        result === 'duplicate'
          ? await settleExisting(ctx, customerIds[i]!)
          : await sendAttempt(ctx, customerIds[i]!, plans[i] as Exclude<Plan, { channel: null }>, now);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, toSend.length) }, worker));
  return done === toSend.length ? outcomes : undefined;
}

export const asObjectId = (id: string) => new Types.ObjectId(id);
