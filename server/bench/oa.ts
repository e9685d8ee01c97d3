// `npm run bench:oa`: the official-account endpoint under load, next to a bare Koa endpoint.
// Safe-mode (AES) text messages that hit a keyword rule, each with its own MsgId, so every request
// claims a delivery, resolves the follower and writes message and reply to the timeline.
// Prints figures; the targets are printed for comparison, not asserted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { loadConfig } from '../src/platform/config';
import { createLogger } from '../src/platform/logger';
import { startServer } from '../src/server';
import { inboundXml, readReply, signPush } from '../src/wechat/protocol/platformSide';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
/** Returning followers: each has written before the measured run. */
const FOLLOWERS = 200;
const AES_KEY = 'Bench0123456789abcdefghijklmnopqrstuvwxyzAB';

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, makeBody: () => { path: string; body: string }): Promise<Figures> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        setupRequest: (req: Record<string, unknown>) => {
          const next = makeBody();
          return { ...req, path: next.path, body: next.body };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function bareKoa(): Promise<{ url: string; close: () => Promise<void> }> {
  const app = new Koa();
  app.use(async (ctx) => {
    await getRawBody(ctx.req, { limit: 64 * 1024 });
    ctx.type = 'text/plain';
    ctx.body = 'success';
  });
  const server = http.createServer(app.callback());
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

const show = (name: string, f: Figures) =>
  `${name.padEnd(26)} ${f.rps.toFixed(0).padStart(7)} msg/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms` +
  (f.non2xx || f.errors ? `   (non-2xx ${f.non2xx}, errors ${f.errors})` : '');

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(process.env.BENCH_DATA_DIR ?? os.tmpdir(), 'loopline-bench-'));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    OA_AES_KEY: AES_KEY,
    OA_AES_KEY_PREVIOUS: '',
  });
  const server = await startServer(config, { log: createLogger('silent'), databaseName: 'bench' });
  const bare = await bareKoa();
  const side = { token: config.officialAccount.token, appId: config.officialAccount.appId, encodingAesKey: AES_KEY };
  let counter = 0;
  const runId = Date.now();
  const makePush = () => {
    counter += 1;
    const openid = `o_bench_${counter % FOLLOWERS}`;
    const xml = inboundXml({
      ToUserName: 'gh_bench',
      FromUserName: openid,
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: 'text',
      Content: '帮助',
      MsgId: `${runId}${String(counter).padStart(8, '0')}`,
    });
    const req = signPush(side, xml, openid);
    return { path: `/wechat/official-account${req.query}`, body: req.body };
  };
  // Signed and encrypted ahead of time, so the load generator spends its CPU on sending.
  const PREPARED = 40_000;
  let pool = Array.from({ length: PREPARED }, makePush);
  const nextPush = () => pool.pop() ?? makePush();
  const refill = () => {
    pool = Array.from({ length: PREPARED }, makePush);
  };

  try {
    // Sanity: the request hits the help rule and comes back encrypted.
    const probe = nextPush();
    const res = await fetch(server.url + probe.path, { method: 'POST', body: probe.body });
    const reply = readReply(side, await res.text());
    if (res.status !== 200 || reply?.MsgType !== 'text') throw new Error(`probe failed: ${res.status}`);

    process.stdout.write(`Warming up (${FOLLOWERS} followers write once), then ${DURATION_S} s each at ${CONNECTIONS} connections…\n`);
    for (let i = 0; i < FOLLOWERS; i++) {
      const warm = makePush();
      await (await fetch(server.url + warm.path, { method: 'POST', body: warm.body })).text();
    }
    await autocannon({ url: server.url, connections: 8, duration: 2, requests: [{ method: 'POST', setupRequest: (r: Record<string, unknown>) => ({ ...r, ...nextPush() }) }] });

    refill();
    const bareFigures = await load(bare.url, nextPush);
    refill();
    const oaFigures = await load(server.url, nextPush);
    const ratio = oaFigures.rps / bareFigures.rps;
    process.stdout.write(
      [
        show('bare Koa endpoint', bareFigures),
        show('/wechat/official-account', oaFigures),
        `ratio ${ratio.toFixed(2)}× bare (target ≥ 0.40×)   p99 ${oaFigures.p99} ms (target ≤ 50 ms)`,
        `database: ${config.mongodbUri ? 'MONGODB_URI' : 'embedded engine'}; safe mode, keyword rule, dedupe and timeline writes on`,
      ].join('\n') + '\n',
    );
  } finally {
    await bare.close();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
