import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boundaryViolations, relativeImportsOf } from '../test/importBoundaries';

const rules = { infrastructure: ['platform', 'wechat'] };
const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

describe('module boundaries', () => {
  it('no module imports another module except through its index.ts, and platform/ imports no module', () => {
    expect(boundaryViolations(here('.'), rules)).toEqual([]);
  });

  it('catches a module reaching into another one and the platform reaching into modules (a fixture that breaks both rules)', () => {
    expect(boundaryViolations(here('../test/fixtures/boundaries'), rules)).toEqual([
      { file: 'beta/service.ts', imports: '../alpha/model', rule: 'internals' },
      { file: 'platform/app.ts', imports: '../alpha', rule: 'platform-uses-module' },
      { file: 'platform/app.ts', imports: '../modules', rule: 'platform-uses-module' },
    ]);
  });

  it('reads imports, re-exports, side-effect and dynamic imports', () => {
    const source = [
      "import a from './a';",
      "import type { B } from '../b/model';",
      "export { c } from './c';",
      "import './side-effect';",
      "const d = await import('../d');",
      "import z from 'zod';",
    ].join('\n');
    expect(relativeImportsOf(source)).toEqual(['./a', '../b/model', './c', './side-effect', '../d']);
  });
});
