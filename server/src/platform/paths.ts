import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root directory (the one with Loopline's package.json), found by walking up from
 * this code's own location: the same answer from the TypeScript sources (server/src/…) and from
 * the compiled bundle (dist/server/main.js).
 */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'loopline') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Loopline package.json above ${from}`);
  }
}
