// `npm run build:server`: the server and its command-line tools as plain JavaScript in dist/server,
// run by `npm run start:prod` with production dependencies only (no tsx, no TypeScript).
// Our own code (server/, shared/ through the @shared alias) is bundled; packages stay imports of
// node_modules, and each one must be a runtime dependency in package.json, or the build fails.
import { builtinModules } from 'node:module';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// `node scripts/buildServer.mjs [outdir]`: dist/server unless told otherwise (tests build elsewhere).
const outdir = path.resolve(root, process.argv[2] ?? path.join('dist', 'server'));

/** Entry points: the server, and the tools the README runs against a deployment. */
export const SERVER_ENTRIES = {
  main: 'server/src/main.ts',
  chat: 'server/src/officialAccount/chat.ts',
  backfill: 'server/src/officialAccount/backfill.ts',
  // The complaint model's training worker, started by the server beside the bundle.
  trainWorker: 'server/src/aftersale/complaints/trainWorker.ts',
};

const packageName = (specifier) => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
};

async function main() {
  const started = Date.now();
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(SERVER_ENTRIES).map(([name, file]) => [name, path.join(root, file)])),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    // `import.meta.url` stays the bundle's own URL; paths are found from the package root at run time.
    banner: { js: '// Built by scripts/buildServer.mjs from server/src: do not edit.' },
  });

  const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const runtime = new Set(Object.keys(pkg.dependencies ?? {}));
  const builtins = new Set(builtinModules);
  const missing = new Map();
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      const spec = imported.path.replace(/^node:/, '');
      if (builtins.has(spec) || builtins.has(spec.split('/')[0])) continue;
      const name = packageName(imported.path);
      if (!runtime.has(name)) missing.set(name, file);
    }
  }
  if (missing.size) {
    for (const [name, file] of missing) process.stderr.write(`${file} imports ${name}, which is not in "dependencies"\n`);
    process.stderr.write('Move these packages to "dependencies": `npm ci --omit=dev` would leave them out.\n');
    process.exit(1);
  }
  for (const name of Object.keys(SERVER_ENTRIES)) {
    const { size } = await stat(path.join(outdir, `${name}.js`));
    process.stdout.write(`${path.relative(root, path.join(outdir, `${name}.js`))}  ${(size / 1024).toFixed(0)} KiB\n`);
  }
  process.stdout.write(`server built in ${Date.now() - started} ms\n`);
}

await main();
