// The module boundaries, read from the source: a business module is used only through its index.ts,
// and the platform (and the WeChat layer under it) uses no business module at all.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface BoundaryRules {
  /** Folders under the source root that are infrastructure, not business modules. */
  infrastructure: readonly string[];
}

export interface Violation {
  file: string;
  imports: string;
  rule: 'internals' | 'platform-uses-module';
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s+['"]([^'"]+)['"]/g;

/** Every relative module specifier a source file imports or re-exports. */
export function relativeImportsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier?.startsWith('.')) found.push(specifier);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * Walks every non-test source file under `root` and reports each import that crosses a boundary:
 * into another business module anywhere but its index, or from infrastructure into any module.
 */
export function boundaryViolations(root: string, rules: BoundaryRules): Violation[] {
  const folderOf = (file: string) => {
    const relative = path.relative(root, file).split(path.sep);
    return relative.length > 1 ? relative[0]! : undefined; // files at the root are the composition root
  };
  const isModule = (folder: string | undefined) => folder !== undefined && !rules.infrastructure.includes(folder);
  const violations: Violation[] = [];
  for (const file of sourceFiles(root)) {
    const from = folderOf(file);
    for (const specifier of relativeImportsOf(readFileSync(file, 'utf8'))) {
      const target = path.resolve(path.dirname(file), specifier);
      if (path.relative(root, target).startsWith('..')) continue; // outside the source root (shared/)
      const to = folderOf(target) ?? folderOf(path.join(target, 'index.ts'));
      const relativeTarget = path.relative(root, target).split(path.sep);
      const report = (rule: Violation['rule']) => violations.push({ file: path.relative(root, file), imports: specifier, rule });
      if (!isModule(from) && from !== undefined && (isModule(to) || (to === undefined && relativeTarget.length === 1))) {
        // Infrastructure reaching into a module, or up into the composition root that wires them all.
        report('platform-uses-module');
      } else if (isModule(to) && to !== from) {
        const intoIndex = relativeTarget.length === 1 || (relativeTarget.length === 2 && /^index(\.tsx?)?$/.test(relativeTarget[1]!));
        if (!intoIndex) report('internals');
      }
    }
  }
  return violations;
}
