// Knows whether a Taro build (dist/h5, dist/weapp) is older than the mini-program sources, and
// rebuilds it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type TaroTarget = 'h5' | 'weapp';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const buildDir = (target: TaroTarget) => path.join(repoRoot, 'dist', target);
export const h5Dir = buildDir('h5');

const SOURCE_PATHS = ['miniprogram', 'config', 'shared', 'babel.config.cjs', 'package.json'];
/** The file each build writes last-ish and always: its age is the build's age. */
const MARKER: Record<TaroTarget, string> = { h5: 'index.html', weapp: 'app.json' };

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stats = statSync(target);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    // Tests beside the sources don't change the build.
    if (/\.test\.tsx?$/.test(entry.name)) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** Why the build must be (re)made, or undefined when it is fresh. */
export function buildStaleReason(target: TaroTarget): string | undefined {
  const marker = path.join(buildDir(target), MARKER[target]);
  if (!existsSync(marker)) return `dist/${target} is missing`;
  const built = statSync(marker).mtimeMs;
  const sources = Math.max(...SOURCE_PATHS.map((p) => newestMtime(path.join(repoRoot, p))));
  return sources > built ? `the mini-program sources changed since the last ${target} build` : undefined;
}

/** Runs `taro build --type <target>` (production) and resolves when it succeeds. */
export function taroBuild(target: TaroTarget, options: { quiet?: boolean } = {}): Promise<void> {
  const taro = path.join(repoRoot, 'node_modules/.bin/taro');
  return new Promise((resolve, reject) => {
    const child = spawn(taro, ['build', '--type', target], {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && existsSync(path.join(buildDir(target), MARKER[target]))) resolve();
      else reject(new Error(`taro build --type ${target} failed (exit ${code})\n${output}`));
    });
  });
}

/** Builds when stale; resolves at once when the build is fresh. */
export async function ensureTaroBuild(target: TaroTarget, options: { quiet?: boolean } = {}): Promise<void> {
  if (buildStaleReason(target)) await taroBuild(target, options);
}
