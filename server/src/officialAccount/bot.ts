import type { Types } from 'mongoose';
import type { PassiveReply } from '@shared/officialAccount';
import { DEFAULT_LANGUAGE, translate } from '@shared/i18n';
import type { InboundMessage, InboundType } from '../wechat/protocol';
import { recordFollow } from '../customers';
import { matchKeywordRule, seedDefaultKeywordRules } from './keywordRules';
import { commandOf, escalationReply, followGift, myCouponsReply, myTicketsReply, storeOfScene } from './integrations';
import { boundClickReply } from './customMenu';
import { MENU_CLICK_REPLIES } from './menu';

// The bot: a router from inbound message types to handlers. A handler answers with a passive reply
// or nothing (`success`); the endpoint takes care of dedupe, deadlines and the timeline.

export interface HandlerContext<M extends InboundMessage = InboundMessage> {
  message: M;
  customerId: Types.ObjectId;
  /** Notes written on the inbound timeline entry (e.g. which keyword rule matched). */
  notes: Record<string, unknown>;
}

export type Handler<M extends InboundMessage = InboundMessage> = (ctx: HandlerContext<M>) => Promise<PassiveReply | undefined>;

type MessageOf<T extends InboundType> = Extract<InboundMessage, { type: T }>;

// The bot's words come from the dictionaries (shared/i18n); followers get the default language.
const say = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate(DEFAULT_LANGUAGE, key, params);

export const WELCOME_REPLY: PassiveReply = { type: 'text', content: say('bot.welcome') };
export const DEFAULT_REPLY: PassiveReply = { type: 'text', content: say('bot.fallback') };
export const MEDIA_REPLY: PassiveReply = { type: 'text', content: say('bot.media') };

export class MessageRouter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each list holds the handlers of its own message type
  private readonly handlers = new Map<InboundType, Array<Handler<any>>>();

  /** Adds a handler for a type. Handlers of one type run in the order added until one answers. */
  on<T extends InboundType>(type: T, handler: Handler<MessageOf<T>>): this {
    const list = this.handlers.get(type) ?? [];
    list.push(handler);
    this.handlers.set(type, list);
    return this;
  }

  /** Like `on`, but runs before the handlers already added. */
  prepend<T extends InboundType>(type: T, handler: Handler<MessageOf<T>>): () => void {
    const list = this.handlers.get(type) ?? [];
    list.unshift(handler);
    this.handlers.set(type, list);
    return () => {
      const at = list.indexOf(handler);
      if (at >= 0) list.splice(at, 1);
    };
  }

  async route(ctx: HandlerContext): Promise<PassiveReply | undefined> {
    for (const handler of this.handlers.get(ctx.message.type) ?? []) {
      const reply = await handler(ctx);
      if (reply) return reply;
    }
    return undefined;
  }
}

/** A command another module answers before the bot's own rules (e.g. 退订): its reply text, or undefined to pass. */
export type TextCommand = (text: string, customerId: Types.ObjectId, at: Date) => Promise<string | undefined>;

export interface BotServices {
  /** Asks for the follower's profile to be refreshed from the platform (queued, not awaited). */
  requestProfileSync?: ((openid: string) => Promise<void>) | undefined;
  /** Commands wired in by the composition root, tried first, in order. */
  textCommands?: readonly TextCommand[] | undefined;
}

/**
 * A follower's words, in order: exact keyword commands an operator set, the built-in commands (my
 * tickets, my coupons), a strong complaint (opens or raises a ticket), other keyword rules, default.
 */
async function answerText(
  text: string,
  customerId: Types.ObjectId,
  at: Date,
  notes: Record<string, unknown>,
  commands: readonly TextCommand[] = [],
): Promise<PassiveReply> {
  for (const command of commands) {
    const answer = await command(text, customerId, at);
    if (answer) {
      notes.command = text.trim();
      return { type: 'text', content: answer };
    }
  }
  await seedDefaultKeywordRules();
  const rule = await matchKeywordRule(text);
  if (rule?.exact) {
    notes.keywordRule = rule.name;
    return rule.reply;
  }
  const command = commandOf(text);
  if (command) {
    notes.command = command;
    return command === 'tickets' ? myTicketsReply(customerId) : myCouponsReply(customerId, at);
  }
  const escalated = await escalationReply(customerId, text, at, notes);
  if (escalated) return escalated;
  if (rule) {
    notes.keywordRule = rule.name;
    return rule.reply;
  }
  return DEFAULT_REPLY;
}

const withLine = (reply: PassiveReply & { type: 'text' }, line: string | undefined): PassiveReply =>
  line ? { type: 'text', content: `${reply.content}\n\n${line}` } : reply;

/** The standard handlers. */
export function createBot(services: BotServices = {}): MessageRouter {
  const bot = new MessageRouter();
  const syncProfile = async (openid: string) => {
    await services.requestProfileSync?.(openid);
  };

  const sentAt = (createTime: number) => new Date(createTime * 1000);
  const commands = services.textCommands ?? [];
  bot.on('text', ({ message, customerId, notes }) => answerText(message.content, customerId, sentAt(message.createTime), notes, commands));
  bot.on('voice', async ({ message, customerId, notes }) =>
    message.recognition ? answerText(message.recognition, customerId, sentAt(message.createTime), notes, commands) : MEDIA_REPLY,
  );
  for (const type of ['image', 'video', 'shortvideo', 'link'] as const) bot.on(type, async () => MEDIA_REPLY);
  bot.on('location', async ({ message }) => ({
    type: 'text',
    content: say('bot.location', { label: message.label ? say('bot.locationLabel', { label: message.label }) : '' }),
  }));

  bot.on('subscribe', async ({ message, customerId, notes }) => {
    const channel = message.scene;
    if (channel) notes.channel = channel;
    const at = sentAt(message.createTime);
    await recordFollow(customerId, { following: true, at, channel });
    await syncProfile(message.fromUserName);
    const storeId = storeOfScene(channel);
    const gift = storeId ? await followGift(customerId, storeId, at, notes) : undefined;
    return withLine(WELCOME_REPLY as PassiveReply & { type: 'text' }, gift);
  });
  bot.on('unsubscribe', async ({ message, customerId }) => {
    await recordFollow(customerId, { following: false, at: new Date(message.createTime * 1000) });
    await syncProfile(message.fromUserName);
    return undefined;
  });
  bot.on('SCAN', async ({ message, customerId, notes }) => {
    const storeId = storeOfScene(message.scene);
    const gift = storeId ? await followGift(customerId, storeId, sentAt(message.createTime), notes) : undefined;
    return withLine(
      {
        type: 'text',
        content: message.scene.startsWith('store:') ? say('bot.storeScan') : say('bot.welcomeBack'),
      },
      gift,
    );
  });
  // A key bound to a keyword rule in the menu editor answers with that rule; the built-in keys otherwise.
  bot.on(
    'CLICK',
    async ({ message }) => (await boundClickReply(message.eventKey)) ?? MENU_CLICK_REPLIES[message.eventKey] ?? DEFAULT_REPLY,
  );
  // Location reports, link opens and template delivery receipts are only recorded.
  return bot;
}
