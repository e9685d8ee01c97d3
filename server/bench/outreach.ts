// `npm run bench:outreach`: outreach throughput against the real server (its own process), the real
// database and the WeChat simulator. Seeds BENCH_CUSTOMERS customers (100,000; insertMany) with the
// same mix as the tests (windows, consents, opt-outs, caps), sends one outreach to all of them for at
// most BENCH_SECONDS (300) and prints recipients finished per second. Baseline in the same run: the
// preview's decisions per second (the same rules and reads, no sending, no records).
//
//   npm run bench:outreach            (embedded engine in a scratch directory)
//   BENCH_CUSTOMERS=20000 BENCH_SECONDS=120 npm run bench:outreach
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { loadConfig } from '../src/platform/config';
import { startEmbeddedEngine, type EmbeddedEngine } from '../src/platform/db/embeddedEngine';
import { createLogger } from '../src/platform/logger';
import { Outreach } from '../src/outreach/model';
import { httpRequest } from '../test/helpers';
import { seedOutreachCustomers, simFollowersOf } from '../test/outreachSeed';
import { spawnServer, type Target } from '../test/spawnServer';

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 300);

async function main() {
  const dataDir = await mkdtemp(path.join(process.env.BENCH_DATA_DIR ?? os.tmpdir(), 'loopline-bench-'));
  const base = loadConfig({ ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  let engine: EmbeddedEngine | undefined;
  let server: Target | undefined;
  try {
    engine = base.mongodbUri
      ? undefined
      : await startEmbeddedEngine({ dataDir, ferretdbBin: base.ferretdbBin, log: createLogger('error') });
    const uri = base.mongodbUri ?? `${engine!.uri}/bench_outreach_${Date.now()}`;
    server = await spawnServer(
      'server/src/main.ts',
      [],
      {
        ...process.env,
        PORT: '0',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
        MONGODB_URI: uri,
        DATA_DIR: dataDir,
        ADMIN_OPENIDS: 'bench-admin',
      },
      /running at (\S+)/,
      120_000,
    );
    await mongoose.connect(uri);
    const url = server.url;
    const call = (method: string, p: string, body?: unknown, token?: string) =>
      httpRequest(url, method, p, { body, ...(token ? { token } : {}) });

    let t = performance.now();
    const seeded = await seedOutreachCustomers(CUSTOMERS, { cap: base.outreach.weeklyCap });
    const followers = simFollowersOf(seeded);
    for (let i = 0; i < followers.length; i += 1000)
      await call('POST', '/__wechat/_sim/followers', { followers: followers.slice(i, i + 1000) });
    console.log(`seeded ${CUSTOMERS} customers in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const admin = (await call('POST', '/api/v1/auth/login', { code: 'test:bench-admin' })).body.token as string;
    // The audience is too large for one request body (64 KiB): the outreach is written as the service would.
    const outreach = await Outreach.create({
      name: 'Bench',
      text: '新品到店，回复「退订」不再接收。',
      audience: { kind: 'customers', customerIds: seeded.map((s) => s.id) },
      createdBy: new mongoose.Types.ObjectId(),
    });
    const id = String(outreach._id);

    t = performance.now();
    const preview = await call('POST', `/api/v1/admin/outreaches/${id}/preview`, undefined, admin);
    const previewRate = preview.body.evaluated / ((performance.now() - t) / 1000);
    console.log(`baseline: preview decided ${preview.body.evaluated} recipients at ${previewRate.toFixed(1)}/s`);

    t = performance.now();
    await call('POST', `/api/v1/admin/outreaches/${id}/send`, undefined, admin);
    let progress = { total: CUSTOMERS, pending: CUSTOMERS, sent: 0, failed: 0, skipped: 0 };
    let status = 'sending';
    while (status !== 'done' && performance.now() - t < SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 2000));
      const res = await call('GET', `/api/v1/admin/outreaches/${id}`, undefined, admin);
      ({ progress, status } = res.body);
    }
    const seconds = (performance.now() - t) / 1000;
    const finished = progress.sent + progress.failed + progress.skipped;
    const rate = finished / seconds;
    console.log(`outreach to ${CUSTOMERS}: ${status}; ${finished} recipients finished in ${seconds.toFixed(1)} s`);
    console.log(`  sent ${progress.sent} · failed ${progress.failed} · skipped ${progress.skipped} · pending ${progress.pending}`);
    console.log(`  throughput: ${rate.toFixed(1)} recipients/s (${(rate / previewRate).toFixed(2)}× the preview baseline)`);
    if (status !== 'done')
      console.log(
        `  (stopped after BENCH_SECONDS=${SECONDS}; at this rate all ${CUSTOMERS} take ${(CUSTOMERS / rate / 60).toFixed(0)} min)`,
      );
  } finally {
    await server?.stop();
    await mongoose.disconnect();
    await engine?.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
