import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
// v1.24.x: the last line that runs on plain PostgreSQL (2.x needs the DocumentDB extension).
export const FERRETDB_VERSION = 'v1.24.2';

export class EngineUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineUnavailableError';
  }
}

/** Where the project keeps its FerretDB build: once per machine, shared by every checkout. */
export function cachedFerretdbPath(): string {
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'loopline', `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds an executable by name on PATH. */
export async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Returns a FerretDB binary: FERRETDB_BIN when given, else the machine's cached build, else builds
 * one from Go modules. `go install …@version` is not used because it also asks the module proxy for
 * the module's version list (to warn about deprecation), which some proxies refuse.
 */
export async function ensureFerretdb(options: { explicitBin?: string; announce?: (line: string) => void } = {}): Promise<string> {
  if (options.explicitBin) {
    if (await isExecutable(options.explicitBin)) return options.explicitBin;
    throw new EngineUnavailableError(`FERRETDB_BIN=${options.explicitBin} is not an executable file.`);
  }
  const target = cachedFerretdbPath();
  if (await isExecutable(target)) return target;

  const go = (await onPath('go')) ?? ((await isExecutable('/usr/local/go/bin/go')) ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new EngineUnavailableError(
      'No database: set MONGODB_URI to a MongoDB server, or install Go so that the embedded FerretDB can be built.',
    );
  }
  (options.announce ?? ((line) => process.stderr.write(`${line}\n`)))(
    `Building the embedded database (FerretDB ${FERRETDB_VERSION}) from Go modules into ${target}; this happens once per machine and takes a few minutes…`,
  );
  await buildFerretdb(go, target);
  return target;
}

async function buildFerretdb(go: string, target: string): Promise<void> {
  const env = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };
  const big = { env, maxBuffer: 64 * 1024 * 1024 };
  const partial = `${target}.${process.pid}.partial`;
  const work = await mkdtemp(path.join(os.tmpdir(), 'loopline-ferretdb-'));
  try {
    const { stdout } = await run(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], big);
    const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
    if (!moduleDir) throw new Error('go mod download did not report the module directory');
    // The module cache is read-only and its build/version/version.txt (embedded, required) is
    // generated from git in FerretDB's own tooling, so build from a writable copy that has it.
    const source = path.join(work, 'src');
    await cp(moduleDir, source, { recursive: true });
    await run('chmod', ['-R', 'u+w', source]);
    await writeFile(path.join(source, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    await mkdir(path.dirname(target), { recursive: true });
    // Build beside the target, then rename: a concurrent build or a crash never leaves half a binary.
    await run(go, ['build', '-trimpath', '-o', partial, './cmd/ferretdb'], { ...big, cwd: source });
    await rename(partial, target);
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim().split('\n').slice(-5).join('\n') || String(err);
    await rm(partial, { force: true });
    throw new EngineUnavailableError(`Building FerretDB failed:\n${detail}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
