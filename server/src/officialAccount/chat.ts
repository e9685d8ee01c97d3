// `npm run chat`: talk to a running Loopline server as an official-account follower. What you type
// is signed (and encrypted, in safe mode) exactly as the platform does it; the bot's passive replies
// and the customer-service messages the server sends you (through the built-in simulator) are printed.
// Reads lines from stdin, so it can be scripted: `printf '帮助\n/quit\n' | npm run chat`.
import { randomBytes } from 'node:crypto';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config';
import { inboundXml, readReply, signPush, type PlatformSideSettings } from '../wechat/protocol/platformSide';

const HELP = `Type a message and press Enter. Commands:
  /follow [scene]       follow the account (optionally from a QR scene, e.g. store:42)
  /scan <scene>         scan a parametric QR code while following
  /click <key>          click a menu item (MEMBER_CENTER, MY_COUPONS, AFTER_SALE, CONTACT_US)
  /location <lat> <lng> report your location
  /unfollow             unfollow the account
  /wait <seconds>       wait for messages sent to you later
  /help                 this help
  /quit                 leave`;

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    openid: { type: 'string' },
    'aes-key': { type: 'string' },
    compatible: { type: 'boolean', default: false },
    'account-id': { type: 'string', default: 'gh_loopline_demo' },
  },
});

const config = loadConfig(process.env);
const side: PlatformSideSettings = {
  token: config.officialAccount.token,
  appId: config.officialAccount.appId,
  encodingAesKey: args['aes-key'] ?? config.officialAccount.aesKey,
  compatible: args.compatible,
};
const baseUrl = args.url!.replace(/\/+$/, '');
const openid = args.openid ?? `o_demo_${randomBytes(6).toString('hex')}`;
const accountId = args['account-id']!;

const print = (line: string) => process.stdout.write(`${line}\n`);

let lastCreateTime = 0;
let msgCounter = 0;
/** Strictly increasing seconds: events are told apart by openid + CreateTime + Event. */
function nextCreateTime(): number {
  lastCreateTime = Math.max(Math.floor(Date.now() / 1000), lastCreateTime + 1);
  return lastCreateTime;
}

const common = () => ({ ToUserName: accountId, FromUserName: openid, CreateTime: nextCreateTime() });

function describeReply(reply: Record<string, unknown>): string[] {
  const get = (o: unknown, k: string) => (o && typeof o === 'object' ? String((o as Record<string, unknown>)[k] ?? '') : '');
  switch (reply.MsgType) {
    case 'text':
      return String(reply.Content ?? '').split('\n');
    case 'news': {
      const items = (reply.Articles as { item?: unknown } | undefined)?.item;
      const list = Array.isArray(items) ? items : items ? [items] : [];
      return list.map(
        (a) =>
          `[news] ${get(a, 'Title')}${get(a, 'Description') ? ` — ${get(a, 'Description')}` : ''}${get(a, 'Url') ? ` (${get(a, 'Url')})` : ''}`,
      );
    }
    case 'transfer_customer_service':
      return ['(you are being handed over to a human agent)'];
    case 'image':
    case 'voice':
    case 'video':
      return [`[${reply.MsgType} ${get(reply[String(reply.MsgType).replace(/^./, (c) => c.toUpperCase())], 'MediaId')}]`];
    case 'music':
      return [`[music ${get(reply.Music, 'Title')}]`];
    default:
      return [`[${String(reply.MsgType)}]`];
  }
}

async function send(fields: Record<string, string | number>): Promise<void> {
  const request = signPush(side, inboundXml(fields), openid);
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/wechat/official-account${request.query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: request.body,
    });
  } catch (err) {
    print(`! cannot reach ${baseUrl}: ${(err as Error).message}`);
    return;
  }
  const text = await res.text();
  if (res.status !== 200) {
    print(`! server answered ${res.status}: ${text.slice(0, 200)}`);
    return;
  }
  const reply = readReply(side, text);
  if (!reply) return;
  for (const line of describeReply(reply)) print(`bot> ${line}`);
}

// Customer-service messages arrive later, outside the request: poll the simulator for them.
let seenUpTo = new Date(Date.now() - 1000).toISOString();
let simulatorMissing = false;
async function pollCustomerService(): Promise<void> {
  if (simulatorMissing) return;
  try {
    const res = await fetch(
      `${baseUrl}/__wechat/_sim/custom-messages?touser=${encodeURIComponent(openid)}&after=${encodeURIComponent(seenUpTo)}`,
    );
    if (res.status === 404) {
      simulatorMissing = true;
      return;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- printed as the simulator stored it
    const body = (await res.json()) as { messages?: Array<Record<string, any> & { at: string }> };
    for (const m of body.messages ?? []) {
      seenUpTo = m.at;
      if (m.msgtype === 'text') for (const line of String(m.text?.content ?? '').split('\n')) print(`cs> ${line}`);
      else if (m.msgtype === 'news') for (const a of m.news?.articles ?? []) print(`cs> [news] ${a.title}${a.url ? ` (${a.url})` : ''}`);
      else print(`cs> [${m.msgtype}]`);
    }
  } catch {
    // Server briefly away: try again next tick.
  }
}

async function handle(line: string): Promise<boolean> {
  const trimmed = line.trim();
  if (!trimmed) return true;
  if (!trimmed.startsWith('/')) {
    msgCounter += 1;
    await send({ ...common(), MsgType: 'text', Content: trimmed, MsgId: `${Date.now()}${String(msgCounter % 1000).padStart(3, '0')}` });
    return true;
  }
  const [command, ...rest] = trimmed.split(/\s+/);
  switch (command) {
    case '/follow':
      await send({
        ...common(),
        MsgType: 'event',
        Event: 'subscribe',
        EventKey: rest[0] ? `qrscene_${rest[0]}` : '',
        ...(rest[0] ? { Ticket: randomBytes(12).toString('base64url') } : {}),
      });
      return true;
    case '/scan':
      if (!rest[0]) print('usage: /scan <scene>');
      else await send({ ...common(), MsgType: 'event', Event: 'SCAN', EventKey: rest[0], Ticket: randomBytes(12).toString('base64url') });
      return true;
    case '/click':
      if (!rest[0]) print('usage: /click <key>');
      else await send({ ...common(), MsgType: 'event', Event: 'CLICK', EventKey: rest[0] });
      return true;
    case '/location': {
      const [lat, lng] = rest;
      if (!lat || !lng || Number.isNaN(Number(lat)) || Number.isNaN(Number(lng))) print('usage: /location <lat> <lng>');
      else await send({ ...common(), MsgType: 'event', Event: 'LOCATION', Latitude: lat, Longitude: lng, Precision: '30.0' });
      return true;
    }
    case '/unfollow':
      await send({ ...common(), MsgType: 'event', Event: 'unsubscribe', EventKey: '' });
      return true;
    case '/wait': {
      const seconds = Math.min(Math.max(Number(rest[0] ?? 1) || 1, 0), 60);
      const until = Date.now() + seconds * 1000;
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, 250));
        await pollCustomerService();
      }
      return true;
    }
    case '/help':
      print(HELP);
      return true;
    case '/quit':
    case '/exit':
      return false;
    default:
      print(`unknown command ${command}; /help lists them`);
      return true;
  }
}

async function main(): Promise<void> {
  print(
    `Chatting with ${baseUrl} as ${openid} (${side.encodingAesKey ? (side.compatible ? 'compatible' : 'safe') : 'plain'} mode). /help for commands.`,
  );
  const poller = setInterval(() => void pollCustomerService(), 1000);
  const tty = Boolean(process.stdin.isTTY);
  const rl = readline.createInterface({ input: process.stdin, ...(tty ? { output: process.stdout } : {}), terminal: tty });
  rl.setPrompt('you> ');
  rl.prompt();
  for await (const line of rl) {
    if (!(await handle(line))) break;
    rl.prompt();
  }
  rl.close();
  clearInterval(poller);
  await pollCustomerService();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`chat failed: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
