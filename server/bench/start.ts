// Cold start benchmark: time from spawning the server process to its first 200 on /readyz, for the
// TypeScript start (`npm start`: node --import tsx server/src/main.ts) and the compiled one
// (`npm run start:prod`: node dist/server/main.js, built here first). Both run against one
// database engine started once by the benchmark, so the figure is the server's own start; the
// embedded engine's start (the same for both) is measured once on its own. Runs alternate.
//
//   npm run bench:start              (BENCH_RUNS=5 by default)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort, startEmbeddedEngine } from '../src/platform/db/embeddedEngine';
import { createLogger } from '../src/platform/logger';
import { packageRoot } from '../src/platform/paths';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = packageRoot();

const MODES = {
  tsx: ['--import', 'tsx', 'server/src/main.ts'],
  compiled: ['--enable-source-maps', 'dist/server/main.js'],
} as const;
type Mode = keyof typeof MODES;

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`)).status === 200;
  } catch {
    return false;
  }
}

async function coldStart(mode: Mode, env: Record<string, string>): Promise<number> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, [...MODES[mode]], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${mode} start exited with ${child.exitCode}`);
      if (await ready(url)) return performance.now() - started;
      if (performance.now() - started > 120_000) throw new Error(`${mode} start not ready in 120 s`);
      await sleep(10);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => `${Math.round(ms)} ms`.padStart(8);

async function main() {
  process.stdout.write('Building the server (npm run build:server)…\n');
  execFileSync(process.execPath, ['scripts/buildServer.mjs'], { cwd: root, stdio: 'inherit' });

  const dir = await mkdtemp(path.join(os.tmpdir(), 'loopline-bench-start-'));
  const engineStarted = performance.now();
  const engine = await startEmbeddedEngine({
    dataDir: dir,
    ferretdbBin: process.env.FERRETDB_BIN || undefined,
    log: createLogger('error'),
  });
  const engineMs = performance.now() - engineStarted;
  try {
    const times: Record<Mode, number[]> = { tsx: [], compiled: [] };
    // One unmeasured start of each first: both then read their files from a warm page cache.
    for (const mode of ['tsx', 'compiled'] as const) await coldStart(mode, { MONGODB_URI: `${engine.uri}/bench_start_warmup` });
    for (let run = 0; run < RUNS; run++) {
      for (const mode of (run % 2 ? ['compiled', 'tsx'] : ['tsx', 'compiled']) as Mode[]) {
        const ms = await coldStart(mode, { MONGODB_URI: `${engine.uri}/bench_start_${run}_${mode}` });
        times[mode].push(ms);
        process.stdout.write(`run ${run + 1}/${RUNS}  ${mode.padEnd(8)} ${fmt(ms)}\n`);
      }
    }
    process.stdout.write(`\nCold start to ready (/readyz 200), ${RUNS} runs each, fresh database each run:\n`);
    process.stdout.write('mode        median      min      max\n');
    for (const mode of ['tsx', 'compiled'] as const) {
      process.stdout.write(
        `${mode.padEnd(9)}${fmt(median(times[mode]))} ${fmt(Math.min(...times[mode]))} ${fmt(Math.max(...times[mode]))}\n`,
      );
    }
    const ratio = median(times.tsx) / median(times.compiled);
    process.stdout.write(
      `\ncompiled vs tsx: ${ratio.toFixed(2)}× faster (median ${Math.round(median(times.tsx))} → ${Math.round(median(times.compiled))} ms)\n`,
    );
    process.stdout.write(`embedded engine start (not included above, the same for both): ${Math.round(engineMs)} ms (${engine.kind})\n`);
  } finally {
    await engine.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
