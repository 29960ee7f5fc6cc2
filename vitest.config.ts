import { defineConfig } from 'vitest/config';
import path from 'node:path';

const alias = { '@': path.resolve(__dirname) };
// `server-only` throws outside a React Server environment; tests import server modules directly.
const serverOnly = { 'server-only': path.resolve(__dirname, 'scripts/server-only-stub.ts') };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: { ...alias, ...serverOnly } },
        test: {
          name: 'unit',
          environment: 'node',
          include: ['{app,components,lib,server,scripts,eslint-rules}/**/*.test.{ts,tsx}'],
          exclude: ['**/*.integration.test.ts', 'node_modules/**'],
        },
      },
      {
        resolve: { alias: { ...alias, ...serverOnly } },
        test: {
          name: 'integration',
          environment: 'node',
          include: ['e2e/integration/**/*.integration.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
