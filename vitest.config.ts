import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      { find: '@shared', replacement: fileURLToPath(new URL('./shared', import.meta.url)) },
      // Mini-program page tests render Taro's H5 components as plain React DOM.
      {
        find: /^@tarojs\/components$/,
        replacement: fileURLToPath(new URL('./node_modules/@tarojs/components-react/dist/index.js', import.meta.url)),
      },
    ],
  },
  // Build-time constants of the Taro build (config/index.ts), for the page tests.
  define: {
    DEPRECATED_ADAPTER_COMPONENT: 'false',
    LOOPLINE_API_BASE: '""',
    ENABLE_INNER_HTML: 'true',
    ENABLE_ADJACENT_HTML: 'true',
    ENABLE_SIZE_APIS: 'false',
    ENABLE_TEMPLATE_CONTENT: 'true',
    ENABLE_CLONE_NODE: 'true',
    ENABLE_CONTAINS: 'true',
    ENABLE_MUTATION_OBSERVER: 'false',
  },
  test: {
    include: ['server/**/*.test.ts', 'shared/**/*.test.ts', 'miniprogram/**/*.test.{ts,tsx}'],
    globalSetup: ['server/test/globalSetup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
