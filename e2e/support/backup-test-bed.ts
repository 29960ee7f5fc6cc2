import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { Deployment } from '../fixtures/deployment';
import { pollUntil } from '../fixtures/poll';
import { allImageRefs, type Registry } from '../fixtures/registry';
import { docker as dockerCli, runCommand } from '../fixtures/run-command';
import { GOOD_VERSION } from '../fixtures/versions';
import { startConsole, type RunningConsole } from './console';
import { prepareTestBedDeployment } from './console-deployment';
import { followToEnd } from './sse-client';

// The set-up the backup integration tests share (backup-restore, backup-drill): a project of the
// test bed deployed at GOOD_VERSION by a console through its API, its db's init scripts done, and
// helpers to call the API, follow an operation, run psql in the db and run restic on the console's
// repository as the console does.

export interface BackupTestBed {
  registry: Registry;
  deployment: Deployment;
  app: RunningConsole;
  proxyPort: number;
  /** Scratch directory of the test, removed by dispose(). */
  scratch: string;
  api(method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  follow(id: string): ReturnType<typeof followToEnd>;
  psql(database: string, sql: string): Promise<string>;
  /** restic on the console's repository with its password file, as the console runs it. */
  restic(args: string[], input?: Buffer): Promise<string>;
  dispose(): Promise<void>;
}

/** `versions`: the releases the test bed's registry holds (GOOD_VERSION, deployed first, by default). */
export async function startBackupTestBed(prefix: string, versions: readonly string[] = [GOOD_VERSION]): Promise<BackupTestBed> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-it-`));
  const { registry, deployment, ports } = await prepareTestBedDeployment(allImageRefs(versions), {
    prefix,
    extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '5' },
  });
  const app = await startConsole({ deployDir: deployment.dir });
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${app.baseURL}${url}`, {
      method,
      headers: { Cookie: app.cookie, ...(body === undefined ? {} : { Origin: app.baseURL, 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text(); // a 204 has no body
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const follow = (id: string) => followToEnd(`${app.baseURL}/api/operations/${id}/events`, { cookie: app.cookie, timeoutMs: 280_000, context: () => app.output().slice(-3000) });
  const psql = async (database: string, sql: string) =>
    (await dockerCli(['exec', `${deployment.id}-db`, 'psql', '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-U', 'tale', '-d', database, '-At', '-c', sql])).stdout;
  const resticEnv = { RESTIC_REPOSITORY: path.join(app.dataDir, 'backups'), RESTIC_PASSWORD_FILE: path.join(app.dataDir, 'backup-password'), RESTIC_CACHE_DIR: path.join(scratch, 'cache'), HOME: scratch } as unknown as NodeJS.ProcessEnv;
  const restic = async (args: string[], input?: Buffer) => (await runCommand('/usr/bin/restic', args, { env: resticEnv, ...(input ? { input } : {}) })).stdout;

  const deploy = await api('POST', '/api/v1/deployments', { version: GOOD_VERSION });
  expect(deploy.status).toBe(202);
  expect((await follow(String(deploy.json.id))).end.status).toBe('succeeded');
  // Tale's init scripts create tale_platform and tale_knowledge in the background after start.
  await pollUntil(() => dockerCli(['exec', `${deployment.id}-db`, 'test', '-f', '/tmp/.db_ready']).then(() => true, () => false), Boolean, 120_000, 500);

  return {
    registry,
    deployment,
    app,
    proxyPort: ports.http,
    scratch,
    api,
    follow,
    psql,
    restic,
    async dispose() {
      await app.stop();
      await deployment.dispose();
      await registry.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}
