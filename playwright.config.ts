import { defineConfig } from '@playwright/test';
import { e2eDataDir } from './e2e/support/paths';

const port = Number(process.env.E2E_PORT ?? 3210);

export default defineConfig({
  testDir: 'e2e/browser',
  // first-run.spec.ts meets the console before anyone has set it up; every other spec may create
  // the admin on its own (support/admin.ts), so it runs first, as its own project.
  projects: [
    { name: 'first-run', testMatch: 'first-run.spec.ts' },
    { name: 'console', testMatch: '**/*.spec.ts', testIgnore: 'first-run.spec.ts', dependencies: ['first-run'] },
  ],
  // One console and one database serve every spec, so specs run one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  // Browser specs share the 2 CI cores with the integration tests (npm test runs them side by
  // side): a render that waits on the Docker Engine can take seconds. Waits, not thresholds.
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: {
      // The system Chromium: Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    },
  },
  webServer: {
    command: 'node e2e/support/serve.mjs',
    url: `http://127.0.0.1:${port}/api/health/live`,
    reuseExistingServer: false,
    timeout: 300_000,
    stdout: 'pipe',
    env: { PORT: String(port), DATA_DIR: e2eDataDir, E2E_DATA_DIR: e2eDataDir },
  },
});
