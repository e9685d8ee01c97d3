// `npm run bench:oa`: the official-account endpoint under load, next to two peers measured in the
// same run on the same prepared messages:
//   - a bare Koa endpoint (reads the body, answers `success`): the ceiling of the HTTP stack;
//   - node-webot's `wechat` middleware: checks, decrypts, parses and answers, but stores nothing;
//   - ours: checks, decrypts, parses, deduplicates (one delivery record per MsgId), answers from the
//     keyword rules and writes message and reply on the customer's timeline before it answers.
// Safe-mode (AES) text messages that hit the help rule, each with its own MsgId, from returning
// followers. Each server runs in its own process; the load generator runs in this one. Prints each
// throughput, p50/p99, the ratios and the persistence checks (exit 1 if a check fails).
//
//   npm run bench:oa                    (embedded engine in a scratch directory)
//   MONGODB_URI=mongodb://… npm run bench:oa
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import mongoose from 'mongoose';
import { loadConfig } from '../src/platform/config';
import { startEmbeddedEngine, type EmbeddedEngine } from '../src/platform/db/embeddedEngine';
import { createLogger } from '../src/platform/logger';
import { DEFAULT_KEYWORD_RULES } from '../src/officialAccount/keywordRules';
import { inboundXml, readReply, signPush } from '../src/wechat/protocol/platformSide';
import { spawnServer, type Target } from '../test/spawnServer';
import { BENCH_METRICS_TOKEN, commandCounts, commandsPer, cpuSeconds, cpuShares } from './probe';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
/** Targets are measured in turns, this many times each; each figure is the median of its turns. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Returning followers: each has written before the measured run. */
const FOLLOWERS = 200;
const AES_KEY = 'Bench0123456789abcdefghijklmnopqrstuvwxyzAB';
const HELP_TEXT = (DEFAULT_KEYWORD_RULES[0]!.reply as { content: string }).content;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, nextPush: () => { path: string; body: string }): Promise<Figures> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        setupRequest: (req: Record<string, unknown>) => ({ ...req, ...nextPush() }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Per-field median of several runs of one target. */
function median(runs: Figures[]): Figures {
  const mid = (pick: (f: Figures) => number) => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  };
  return {
    rps: mid((f) => f.rps),
    p50: mid((f) => f.p50),
    p99: mid((f) => f.p99),
    ok: mid((f) => f.ok),
    non2xx: mid((f) => f.non2xx),
    errors: mid((f) => f.errors),
  };
}

function sum(runs: Figures[]): Figures {
  const add = (pick: (f: Figures) => number) => runs.reduce((n, f) => n + pick(f), 0);
  return { rps: add((f) => f.rps), p50: 0, p99: 0, ok: add((f) => f.ok), non2xx: add((f) => f.non2xx), errors: add((f) => f.errors) };
}

const show = (name: string, f: Figures) =>
  `${name.padEnd(28)} ${f.rps.toFixed(0).padStart(7)} msg/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms` +
  `   (2xx ${f.ok}, non-2xx ${f.non2xx}, errors ${f.errors})`;

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(process.env.BENCH_DATA_DIR ?? os.tmpdir(), 'loopline-bench-'));
  const base = loadConfig({
    ...process.env,
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    OA_AES_KEY: AES_KEY,
    OA_AES_KEY_PREVIOUS: '',
  });
  let engine: EmbeddedEngine | undefined;
  const targets: Target[] = [];
  const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  try {
    engine = base.mongodbUri
      ? undefined
      : await startEmbeddedEngine({ dataDir, ferretdbBin: base.ferretdbBin, log: createLogger('error') });
    const uri = base.mongodbUri ?? `${engine!.uri}/bench_oa_${Date.now()}`;
    const { token, appId } = base.officialAccount;
    const childEnv = {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'silent',
      MONGODB_URI: uri,
      OA_AES_KEY: AES_KEY,
      OA_AES_KEY_PREVIOUS: '',
      DATA_DIR: dataDir,
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
    };
    const peer = (kind: string) =>
      spawnServer('server/bench/oaPeers.ts', [kind, token, appId, AES_KEY, HELP_TEXT], childEnv, /listening (\S+)/);
    const [bare, webot, ours] = await Promise.all([
      peer('bare'),
      peer('webot'),
      spawnServer('server/src/main.ts', [], childEnv, /running at (\S+)/),
    ]);
    targets.push(bare, webot, ours);
    await mongoose.connect(uri);
    const db = mongoose.connection.db!;

    const side = { token, appId, encodingAesKey: AES_KEY };
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
    const PREPARED = 20_000;
    let pool: Array<{ path: string; body: string }> = [];
    const refill = () => {
      pool = Array.from({ length: PREPARED }, makePush);
    };
    const nextPush = () => pool.pop() ?? makePush();

    // Sanity: both answer the help text, encrypted.
    for (const target of [webot, ours]) {
      const probe = makePush();
      const res = await fetch(target.url + probe.path, { method: 'POST', body: probe.body });
      const reply = readReply(side, await res.text());
      if (res.status !== 200 || reply?.Content !== HELP_TEXT)
        throw new Error(`probe of ${target.url} failed: ${res.status} ${JSON.stringify(reply)}`);
    }

    process.stdout.write(
      `Warming up (${FOLLOWERS} followers write once), then ${ROUNDS} turns of ${DURATION_S} s each at ${CONNECTIONS} connections…\n`,
    );
    // Concurrently, like the measured load: the warm-up should not outlast the identity cache.
    for (let from = 0; from < FOLLOWERS; from += CONNECTIONS) {
      await Promise.all(
        Array.from({ length: Math.min(CONNECTIONS, FOLLOWERS - from) }, async () => {
          const warm = makePush();
          await (await fetch(ours.url + warm.path, { method: 'POST', body: warm.body })).text();
        }),
      );
    }
    refill();
    await load(ours.url, nextPush);

    const runs: Record<'bare' | 'webot' | 'ours', Figures[]> = { bare: [], webot: [], ours: [] };
    const enginePids = engine ? Object.values(engine.pids()) : [];
    const cpu: Record<'bare' | 'webot' | 'ours', Record<string, number>> = { bare: {}, webot: {}, ours: {} };
    const commandsBefore = await commandCounts(ours.url);
    const timelineBefore = await db.collection('timeline').countDocuments({ type: 'oa.message' });
    // In turns, so that load from elsewhere on the machine falls on all three alike.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, target] of [
        ['bare', bare],
        ['webot', webot],
        ['ours', ours],
      ] as const) {
        refill();
        const groups = { [name]: [target.child.pid!], ...(enginePids.length ? { engine: enginePids } : {}) };
        const cpuBefore = await cpuSeconds(groups);
        runs[name].push(await load(target.url, nextPush));
        const cpuAfter = await cpuSeconds(groups);
        for (const group of Object.keys(groups)) cpu[name][group] = (cpu[name][group] ?? 0) + cpuAfter[group]! - cpuBefore[group]!;
      }
    }
    const commands = commandsPer(commandsBefore, await commandCounts(ours.url), sum(runs.ours).ok || 1);
    const bareFigures = median(runs.bare);
    const webotFigures = median(runs.webot);
    const oursFigures = median(runs.ours);
    const oursTotal = sum(runs.ours);
    await new Promise((r) => setTimeout(r, 500)); // let the last answers land

    const messages = (await db.collection('timeline').countDocuments({ type: 'oa.message' })) - timelineBefore;
    const deliveries = await db.collection('oa_deliveries').countDocuments();
    const answers = await db.collection('oa_delivery_answers').countDocuments({ state: 'done' });
    const allMessages = await db.collection('timeline').countDocuments({ type: 'oa.message' });
    const replies = await db.collection('timeline').countDocuments({ type: 'oa.reply' });
    check('every answered message is on the timeline', messages >= oursTotal.ok, `${messages} entries for ${oursTotal.ok} answers`);
    check(
      'one delivery record, one stored answer, one message and one reply entry per push',
      deliveries === allMessages && answers === allMessages && replies === allMessages,
      `${deliveries} deliveries, ${answers} answers, ${allMessages} messages, ${replies} replies`,
    );

    // Dedupe: 20 messages, each pushed 5 times at once: one entry each, the same answer for all.
    const dupes = Array.from({ length: 20 }, makePush);
    const dupeBefore = await db.collection('timeline').countDocuments({ type: 'oa.message' });
    const dupeAnswers = await Promise.all(
      dupes.flatMap((push) =>
        Array.from(
          { length: 5 },
          async () => readReply(side, await (await fetch(ours.url + push.path, { method: 'POST', body: push.body })).text())?.Content,
        ),
      ),
    );
    const dupeAfter = await db.collection('timeline').countDocuments({ type: 'oa.message' });
    check(
      'duplicate pushes recorded once',
      dupeAfter - dupeBefore === dupes.length,
      `${dupeAfter - dupeBefore} entries for ${dupes.length} messages × 5`,
    );
    check(
      'duplicates answered with the first answer',
      dupeAnswers.every((a) => a === HELP_TEXT),
      `${dupeAnswers.filter((a) => a === HELP_TEXT).length}/${dupeAnswers.length}`,
    );
    check(
      'no errors under load',
      oursTotal.errors === 0 && oursTotal.non2xx === 0,
      `${oursTotal.errors} errors, ${oursTotal.non2xx} non-2xx`,
    );

    const vsWebot = oursFigures.rps / webotFigures.rps;
    const vsBare = oursFigures.rps / bareFigures.rps;
    process.stdout.write(
      [
        show('bare Koa endpoint', bareFigures),
        show('node-webot wechat (no store)', webotFigures),
        show('/wechat/official-account', oursFigures),
        `(medians of ${ROUNDS} turns each)`,
        `ours / node-webot ${vsWebot.toFixed(2)}× (target ≥ 0.50×)   ours / bare ${vsBare.toFixed(2)}×   node-webot / bare ${(webotFigures.rps / bareFigures.rps).toFixed(2)}×`,
        `ours p99 ${oursFigures.p99} ms (target ≤ 100 ms)`,
        `CPU (share of one core, ${os.availableParallelism()} cores; load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}):`,
        ...(['bare', 'webot', 'ours'] as const).map((name) => `  during ${name}: ${cpuShares({}, cpu[name], ROUNDS * DURATION_S)}`),
        `Database commands per answered push (ours, incl. the retries' reads and background jobs): ${commands.total.toFixed(2)}`,
        ...commands.lines.map((l) => `  ${l}`),
        `database: ${base.mongodbUri ? 'MONGODB_URI' : `embedded ${engine?.kind}`}; safe mode, help rule, dedupe and timeline writes on`,
        'Checks:',
        ...checks.map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name} (${c.detail})`),
      ].join('\n') + '\n',
    );
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  } finally {
    await mongoose.disconnect().catch(() => undefined);
    await Promise.all(targets.map((t) => t.stop()));
    await engine?.stop();
    await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
