// Knows whether dist/h5 is older than the mini-program sources, and rebuilds it.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const h5Dir = path.join(repoRoot, 'dist/h5');
const SOURCE_PATHS = ['miniprogram', 'config', 'shared', 'babel.config.cjs', 'package.json'];

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

/** Why the H5 build must be (re)made, or undefined when it is fresh. */
export function h5BuildStaleReason(): string | undefined {
  const index = path.join(h5Dir, 'index.html');
  if (!existsSync(index)) return 'dist/h5 is missing';
  const built = statSync(index).mtimeMs;
  const sources = Math.max(...SOURCE_PATHS.map((p) => newestMtime(path.join(repoRoot, p))));
  return sources > built ? 'the mini-program sources changed since the last H5 build' : undefined;
}

/** Runs `taro build --type h5` (production) and resolves when it succeeds. */
export function buildH5(options: { quiet?: boolean } = {}): Promise<void> {
  const taro = path.join(repoRoot, 'node_modules/.bin/taro');
  return new Promise((resolve, reject) => {
    const child = spawn(taro, ['build', '--type', 'h5'], {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && existsSync(path.join(h5Dir, 'index.html'))) resolve();
      else reject(new Error(`taro build --type h5 failed (exit ${code})\n${output}`));
    });
  });
}
