import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDto } from '@/lib/dto/operations';
import type { LiveOverviewDto } from '@/lib/dto/overview';
import type { VersionsDto } from '@/lib/dto/versions';
import { allImageRefs } from '../fixtures/registry';
import { docker } from '../fixtures/run-command';
import { GOOD_VERSION, localImage, NEVER_HEALTHY_VERSION, registryImage, SERVICES } from '../fixtures/versions';
import { prepareTestBedDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { createToken } from '../support/accounts';
import { startConsole, type RunningConsole } from '../support/console';
import { followToEnd } from '../support/sse-client';

// Issue #19's failed-release mark on the real test bed: a release whose platform never turns
// healthy is pushed under a plain release tag (so the overview would offer it as the upgrade),
// deployed, and fails its gate. From then on the overview does not offer it, the API marks it
// with the failed operation, and a deploy of it without "retryFailedRelease" is a 400. The
// timeline of the failed deploy says what the health wait waited for and for how long.

/** A release tag above GOOD_VERSION whose images are the never-healthy stand-ins. */
const BAD_RELEASE = '1.2.0';

let bed: ConsoleDeployment;
let app: RunningConsole;
let token = '';

beforeAll(async () => {
  bed = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION]), { prefix: 'tl-failed', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '2' } });
  for (const service of SERVICES) {
    const target = registryImage(bed.registry.host, service, BAD_RELEASE);
    await docker(['tag', localImage(service, NEVER_HEALTHY_VERSION), target]);
    await docker(['push', '-q', target], { timeoutMs: 300_000 });
    await docker(['rmi', target]);
  }
  app = await startConsole({ deployDir: bed.deployment.dir });
  token = (await createToken(app.baseURL, app.cookie, { name: 'tl deploy', role: 'operator', expiresInDays: 30 })).token;
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await bed?.dispose();
});

const auth = () => ({ Authorization: `Bearer ${token}` });
const api = (p: string, init: RequestInit = {}) => fetch(`${app.baseURL}/api/v1${p}`, { ...init, headers: { ...auth(), ...(init.headers ?? {}) }, signal: AbortSignal.timeout(30_000) });
const deploy = (body: unknown) => api('/deployments', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const overview = async () => (await (await fetch(`${app.baseURL}/api/overview`, { headers: { Cookie: app.cookie } })).json()) as LiveOverviewDto;
const versions = async () => (await (await api('/versions')).json()) as VersionsDto;
const follow = (id: string) => followToEnd(`${app.baseURL}/api/v1/operations/${id}/events`, { authorization: `Bearer ${token}`, timeoutMs: 250_000, context: () => app.output().slice(-2000) });

describe('a release that failed its health gate here', () => {
  it('is no longer offered as the upgrade, is marked in the API, and needs retryFailedRelease', async () => {
    const good = await deploy({ version: GOOD_VERSION });
    expect(good.status).toBe(202);
    const first = await follow(((await good.json()) as OperationDto).id);
    expect(first.end.status, JSON.stringify(first.end.error)).toBe('succeeded');

    // Before: the never-healthy release is the one-click upgrade, and nothing is marked.
    expect((await overview()).registry).toMatchObject({ reachable: true, newer: BAD_RELEASE, failedHere: [] });
    expect((await versions()).versions.find((v) => v.version === BAD_RELEASE)).toMatchObject({ available: true, failedHere: null });

    const started = Date.now();
    // The backup gate is the subject of backup-gate.integration.test.ts: skipped here, with its reason.
    const bad = await deploy({ version: BAD_RELEASE, skipBackup: { reason: 'the backup gate has its own test' } });
    expect(bad.status).toBe(202);
    const op = ((await bad.json()) as OperationDto).id;
    const run = await follow(op);
    expect(run.end).toMatchObject({ status: 'failed', purpose: `Deploy ${BAD_RELEASE}`, error: { code: expect.stringMatching(/^(CONTAINER_UNHEALTHY|HEALTH_CHECK_TIMEOUT)$/) } });
    // The wait was said as it started, with its timeout, and as it ended.
    const waits = run.events.filter((e) => e.step === 'health' && Array.isArray(e.data?.containers));
    const colourWait = waits.find((e) => e.data?.waiting === true && (e.data.containers as string[]).some((c) => c.endsWith('-rag-green') || c.endsWith('-rag-blue')));
    expect(colourWait?.text).toMatch(/^Waiting up to \d+ s for rag-(blue|green) and crawler-(blue|green) to report healthy…$/);
    const end = waits.at(-1);
    expect(end?.data).toMatchObject({ waiting: false, outcome: 'failed' });
    expect(end?.text).toMatch(/^Stopped waiting for .* after \d+ s: /);
    console.log(`[failed-release] failed deploy took ${((Date.now() - started) / 1000).toFixed(1)} s; its last health wait ended after ${String(end?.data?.afterSeconds)} s: ${end?.text}`);

    // After: the API marks it with the failed operation; the overview offers nothing newer.
    const marked = (await versions()).versions.find((v) => v.version === BAD_RELEASE);
    expect(marked?.failedHere).toMatchObject({ operationId: op, code: run.end.error?.code });
    const after = (await overview()).registry;
    expect(after).toMatchObject({ reachable: true, newer: null, failedHere: [{ version: BAD_RELEASE, operationId: op }] });

    // Deploying it again (named, or as the newest by default) needs the explicit flag.
    for (const body of [{ version: BAD_RELEASE }, {}]) {
      const refused = await deploy(body);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: 'FAILED_RELEASE_NOT_CONFIRMED', message: expect.stringContaining(op) });
    }
    const dryRun = await deploy({ version: BAD_RELEASE, dryRun: true });
    expect(dryRun.status).toBe(202);
    await follow(((await dryRun.json()) as OperationDto).id);
  }, 400_000);
});
