import Router from '@koa/router';
import { AppError } from '../platform/http/errors';
import { readRawBody } from '../platform/http/middleware';
import type { AppDeps } from '../platform/app';
import type { PeriodicJob } from '../platform/jobs/periodic';
import { aesKeyFromEncodingKey, buildReplyXml, openPush, pushStamp, sealReply, verifyUrl, type PushSettings } from '../wechat/protocol';
import { createBot, type MessageRouter, type TextCommand } from './bot';
import { deliver } from './delivery';
import { Delivery, DeliveryAnswer } from './model';
import { requestProfileSync } from './profileSync';
import { admitPush } from './replayGuard';
import { ErrorCode } from '@shared/errors';

/** Largest push body accepted; the platform's messages are a few KiB at most. */
export const PUSH_BODY_LIMIT = 64 * 1024;

export function pushSettingsFrom(config: AppDeps['config']): PushSettings {
  const oa = config.officialAccount;
  return {
    token: oa.token,
    appId: oa.appId,
    mode: oa.messageMode,
    timestampWindowS: oa.timestampWindowS,
    keys: oa.aesKey
      ? {
          current: aesKeyFromEncodingKey(oa.aesKey),
          previous: oa.aesKeyPrevious ? aesKeyFromEncodingKey(oa.aesKeyPrevious) : undefined,
        }
      : undefined,
  };
}

/** The bot used by the push endpoint; exported so other modules can add handlers to it. */
export let officialAccountBot: MessageRouter | undefined;

/** `GET|POST /wechat/official-account`: the platform's push endpoint (raw XML, outside /api/v1). */
export function officialAccountRoutes(deps: AppDeps, options: { textCommands?: readonly TextCommand[] } = {}): Router {
  const settings = pushSettingsFrom(deps.config);
  const bot = createBot({ requestProfileSync, textCommands: options.textCommands });
  officialAccountBot = bot;
  const router = new Router();

  router.get('/wechat/official-account', (ctx) => {
    const echostr = verifyUrl(settings, ctx.query);
    if (echostr === undefined) throw new AppError(401, ErrorCode.UNAUTHENTICATED, 'Signature mismatch.');
    ctx.type = 'text/plain';
    ctx.body = echostr;
  });

  router.post('/wechat/official-account', async (ctx) => {
    const body = (await readRawBody(ctx, PUSH_BODY_LIMIT)).toString('utf8');
    const opened = openPush(settings, ctx.query, body);
    if (!opened.ok) {
      ctx.state.log.warn({ reason: opened.reason }, 'push refused');
      throw opened.status === 401
        ? new AppError(401, ErrorCode.UNAUTHENTICATED, 'Signature mismatch.')
        : new AppError(400, ErrorCode.VALIDATION_FAILED, 'The push could not be read.');
    }
    // The nonce record guards bodies the signature does not cover (plain mode, compatible mode read
    // from its plaintext copy). A message opened from the encrypted payload is covered by
    // msg_signature: another body under the same timestamp and nonce fails the signature, and the
    // identical request again is the platform's retry, which the guard would admit anyway.
    const bodySigned = opened.replyKey !== undefined;
    if (!bodySigned && !(await admitPush({ ...pushStamp(ctx.query), body, windowS: deps.config.officialAccount.timestampWindowS }))) {
      ctx.state.log.warn({ reason: 'timestamp and nonce reused with another body' }, 'push refused');
      throw new AppError(401, ErrorCode.UNAUTHENTICATED, 'Signature mismatch.');
    }
    const { message } = opened;
    const reply = await deliver(message, {
      bot,
      deadlineMs: deps.config.officialAccount.replyDeadlineMs,
      sendCustomMessage: (m) => deps.wechat.officialAccount.sendCustomMessage(m),
      log: ctx.state.log,
    });
    if (!reply) {
      ctx.type = 'text/plain';
      ctx.body = 'success';
      return;
    }
    // News answering a follower's own message carries one article; event replies up to eight.
    const xml = buildReplyXml(reply, { toUser: message.fromUserName, fromUser: message.toUserName }, message.isEvent ? 8 : 1);
    ctx.type = 'application/xml';
    ctx.body = sealReply(settings, opened.replyKey, xml);
  });

  return router;
}

/** Delivery records only answer retries (within seconds); a day later they go. */
export const sweepDeliveriesJob: PeriodicJob = {
  name: 'oa-deliveries-sweep',
  intervalMs: 10 * 60_000,
  run: async (now) => {
    const before = new Date(now.getTime() - 24 * 3600_000);
    await DeliveryAnswer.deleteMany({ createdAt: { $lt: before } });
    await Delivery.deleteMany({ createdAt: { $lt: before } });
  },
};
