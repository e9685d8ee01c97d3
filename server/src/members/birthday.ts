import type { Types } from 'mongoose';
import { SUBSCRIBE_TEMPLATES } from '@shared/api/members';
import { chooseChannel, clip, OA_INBOUND_TYPES, type DeliveryChannel } from '../aftersale';
import { claimCoupon, listClaimableCampaigns } from '../coupons';
import { appendTimeline, customersBornInMonth, listTimeline, openidOf } from '../customers';
import { isDuplicateKey } from '../platform/db/errors';
import { isConflict } from '../platform/http/errors';
import type { Logger } from '../platform/logger';
import { WechatApiError, type WechatPlatform } from '../wechat/platform';
import { BirthdayGift, BirthdayNotice, SubscribeAcceptance, type BirthdayGiftDoc } from './model';
import { spendAcceptance, unusedAcceptances } from './subscriptions';
import { getMember } from './service';

// Birthday gifts: in their birthday month (Asia/Shanghai), members who set a birthday get the
// coupon of the newest open campaign offered through the `birthday` channel, once a year, and are
// told through whatever reaches them: a customer-service message while the official account's
// 48-hour window is open, else a subscribe message they accepted, else only in the mini-program.

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Year and month (1–12) of an instant in Asia/Shanghai (no daylight saving there). */
export function shanghaiYearMonth(at: Date): { year: number; month: number } {
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1 };
}

export interface BirthdayRun {
  issued: number;
  notified: number;
}

export interface BirthdayOptions {
  wechat?: WechatPlatform | undefined;
  log?: Logger | undefined;
  /** The mini-program page a subscribe message opens. */
  page?: string;
}

/** One pass of the birthday job: idempotent, safe to run on several instances at once. */
export async function runBirthdayGifts(now: Date, options: BirthdayOptions = {}): Promise<BirthdayRun> {
  const { year, month } = shanghaiYearMonth(now);
  const run: BirthdayRun = { issued: 0, notified: 0 };
  let after: Types.ObjectId | undefined;
  for (;;) {
    const batch = await customersBornInMonth(month, after);
    if (!batch.length) break;
    after = batch[batch.length - 1];
    for (const customerId of batch) {
      try {
        await giftFor(customerId, year, now, options, run);
      } catch (err) {
        options.log?.warn({ err, customerId: customerId.toString() }, 'birthday gift not given; retried next pass');
      }
    }
  }
  return run;
}

async function giftFor(customerId: Types.ObjectId, year: number, now: Date, options: BirthdayOptions, run: BirthdayRun) {
  const id = `${customerId.toString()}:${year}`;
  let gift = await BirthdayGift.findById(id).lean<BirthdayGiftDoc>();
  if (gift && gift.state !== 'issuing' && gift.message?.channel) return;
  if (!gift) {
    if (!(await getMember(customerId))) return;
    const campaign = (await listClaimableCampaigns('birthday', now))[0];
    if (!campaign) return; // nothing to give yet; a campaign opened later this month still reaches them
    try {
      gift = (
        await BirthdayGift.create({ _id: id, customerId, year, campaignId: campaign._id, state: 'issuing', at: now })
      ).toObject() as BirthdayGiftDoc;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      gift = (await BirthdayGift.findById(id).lean<BirthdayGiftDoc>())!;
    }
  }
  if (gift.state === 'issuing') {
    try {
      const { coupon, created } = await claimCoupon(gift.campaignId, customerId, {
        channel: 'birthday',
        idempotencyKey: `birthday-${year}`,
        now,
      });
      await BirthdayGift.updateOne({ _id: id }, { $set: { state: 'issued', couponId: coupon._id } });
      gift = { ...gift, state: 'issued', couponId: coupon._id };
      if (created) run.issued++;
    } catch (err) {
      if (!isConflict(err)) throw err;
      await BirthdayGift.updateOne({ _id: id }, { $set: { state: 'unavailable', errorCode: err.code } });
      return;
    }
  }
  if (gift.state === 'issued' && (await notify(gift, now, options))) run.notified++;
}

/** Tells the member, once per gift: only the pass that inserts the notice sends. */
async function notify(gift: BirthdayGiftDoc, now: Date, options: BirthdayOptions): Promise<boolean> {
  try {
    await BirthdayNotice.create({ _id: gift._id, customerId: gift.customerId, at: now });
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  const customerId = gift.customerId;
  const [oaOpenid, mpOpenid, lastInbound, unused] = await Promise.all([
    openidOf(customerId, 'official_account'),
    openidOf(customerId, 'mini_program'),
    listTimeline(customerId, { types: OA_INBOUND_TYPES, limit: 1 }),
    unusedAcceptances(customerId, SUBSCRIBE_TEMPLATES.birthdayGift),
  ]);
  let channel: DeliveryChannel = options.wechat
    ? chooseChannel({ oaOpenid, lastOaInboundAt: lastInbound[0]?.at, subscribeUnused: unused.length > 0, mpOpenid, now })
    : 'none';
  if (channel === 'subscribe' && !(await spendAcceptance(customerId, unused))) channel = 'none';

  const text = '生日快乐！您的生日礼券已放入「我的优惠券」，本月内到店出示即可使用。';
  let status: 'sent' | 'failed' | 'in_app' = 'in_app';
  let errcode: number | undefined;
  try {
    if (channel === 'official_account') {
      await options.wechat!.officialAccount.sendCustomMessage({ touser: oaOpenid!, msgtype: 'text', text: { content: text } });
      status = 'sent';
    } else if (channel === 'subscribe') {
      await options.wechat!.miniProgram.sendSubscribeMessage({
        touser: mpOpenid!,
        template_id: SUBSCRIBE_TEMPLATES.birthdayGift,
        page: options.page ?? 'pages/coupons/mine/index',
        data: { thing1: { value: clip('生日礼券', 20) }, thing2: { value: clip('已放入我的优惠券', 20) } },
      });
      status = 'sent';
    }
  } catch (err) {
    status = 'failed';
    if (err instanceof WechatApiError) errcode = err.errcode;
    options.log?.info({ err: (err as Error).message }, 'birthday message not delivered');
  }
  const message = {
    channel: channel === 'none' ? 'mini_program' : channel,
    status,
    ...(errcode !== undefined ? { errcode } : {}),
    at: new Date(),
  };
  await BirthdayGift.updateOne({ _id: gift._id }, { $set: { message } });
  await appendTimeline(customerId, {
    type: 'member.birthday_gift',
    channel: channel === 'official_account' ? 'official_account' : 'mini_program',
    summary: 'Birthday gift coupon issued',
    data: { couponId: gift.couponId?.toString() ?? null, campaignId: gift.campaignId.toString(), year: gift.year, message },
    at: now,
  });
  return true;
}

/** Records the templates a member accepted in wx.requestSubscribeMessage (one send each). */
export async function recordSubscribeAcceptances(customerId: Types.ObjectId, templates: string[], at = new Date()): Promise<number> {
  await SubscribeAcceptance.insertMany(templates.map((template) => ({ customerId, template, at })));
  return templates.length;
}
