import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDto, OperationEventDto } from '@/lib/dto/operations';
import type { LiveOverviewDto } from '@/lib/dto/overview';
import type { PrePullStatusDto } from '@/lib/dto/pre-pull';
import { allImageRefs, forgetLocalImages } from '../fixtures/registry';
import { docker } from '../fixtures/run-command';
import { GOOD_VERSION, localImage, NEXT_VERSION, registryImage, SERVICES } from '../fixtures/versions';
import { createToken } from '../support/accounts';
import { startConsole, type RunningConsole } from '../support/console';
import { prepareTestBedDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { followToEnd } from '../support/sse-client';

// Issue #19's background pre-pull on the real Docker Engine and registry: 1.0.0 live, 1.1.0 in
// the registry and not on this host by digest. With the setting off a round pulls nothing; turned
// on, a round (started by the PUT, not by waiting for the timer) pulls 1.1.0's six images as a
// pre-pull operation of the system, and the upgrade's timeline then says they were already pulled
// and pulls nothing. Only this registry's names are removed (the fixture images' data stays under
// the tale-fixture tags other tests share).

let bed: ConsoleDeployment;
let app: RunningConsole;
let token = '';
/** `<registry>/tale-<service>@sha256:…` of 1.1.0, as a deploy pulls them. */
let nextPinned: string[] = [];

/**
 * NEXT_VERSION's images with a layer of their own (random bytes on top of the fixture's), pushed
 * to this test's registry only: once their local names are forgotten, Docker deletes them with
 * that layer, so the pre-pull really downloads something and its disk cost is not zero.
 */
async function pushOwnNextRelease(registry: { host: string }): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-layer-'));
  try {
    fs.writeFileSync(path.join(dir, 'nonce'), randomBytes(512 * 1024));
    for (const service of SERVICES) {
      fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${localImage(service, NEXT_VERSION)}\nCOPY nonce /pp-nonce\n`);
      const target = registryImage(registry.host, service, NEXT_VERSION);
      await docker(['build', '-q', '-t', target, dir], { timeoutMs: 120_000 });
      await docker(['push', '-q', target], { timeoutMs: 300_000 });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  bed = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION]), { prefix: 'pp', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '2' } });
  await pushOwnNextRelease(bed.registry);
  // The push left 1.1.0 on this host under the registry's name: forgotten, so it is not here by digest.
  nextPinned = await forgetLocalImages(bed.registry, allImageRefs([NEXT_VERSION]));
  app = await startConsole({ deployDir: bed.deployment.dir });
  token = (await createToken(app.baseURL, app.cookie, { name: 'pp admin', role: 'admin', expiresInDays: 30 })).token;
}, 300_000);

afterAll(async () => {
  await app?.stop();
  // The pre-pull and the upgrade left 1.1.0 here by digest: only this registry's names go.
  if (bed) await forgetLocalImages(bed.registry, allImageRefs([GOOD_VERSION, NEXT_VERSION])).catch(() => []);
  await bed?.dispose();
}, 120_000);

const api = (p: string, init: RequestInit = {}) =>
  fetch(`${app.baseURL}/api/v1${p}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) }, signal: AbortSignal.timeout(60_000) });
const setPrePull = async (body: unknown) => {
  const res = await api('/releases/prepull', { method: 'PUT', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as PrePullStatusDto;
};
const follow = (id: string) => followToEnd(`${app.baseURL}/api/v1/operations/${id}/events`, { authorization: `Bearer ${token}`, timeoutMs: 250_000, context: () => app.output().slice(-2000) });
async function deploy(body: unknown) {
  const res = await api('/deployments', { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(202);
  return follow(((await res.json()) as OperationDto).id);
}
const present = async (names: string[]) => Promise.all(names.map(async (n) => (await docker(['image', 'inspect', n], { allowFailure: true })).code === 0));
const prePulls = async () => ((await (await api('/operations')).json()) as { operations: OperationDto[] }).operations.filter((op) => op.kind === 'pre-pull');
const at = (events: OperationEventDto[], step: string, status: string) => events.find((e) => e.step === step && e.status === status)?.at;

describe('background pre-pull', () => {
  it('pulls nothing when off; when on, pulls the next release so that the upgrade only starts containers', async () => {
    expect(await present(nextPinned)).toEqual(Array(6).fill(false));

    // Off: the round after the deploy and the one the PUT starts pull nothing.
    expect(await setPrePull({ enabled: false })).toMatchObject({ enabled: false, state: 'off' });
    const first = await deploy({ version: GOOD_VERSION });
    expect(first.end.status, JSON.stringify(first.end.error)).toBe('succeeded');
    const off = await setPrePull({ enabled: false });
    expect(off).toMatchObject({ state: 'off', lastCheck: { outcome: 'background pre-pull is off' } });
    expect(await prePulls()).toEqual([]);
    expect(await present(nextPinned)).toEqual(Array(6).fill(false));

    // On: the round the PUT starts pulls 1.1.0 as the system.
    const on = await setPrePull({ enabled: true });
    expect(on).toMatchObject({ enabled: true, version: NEXT_VERSION, operationId: expect.any(String) });
    const started = Date.now();
    const pulled = await follow(on.operationId!);
    expect(pulled.end).toMatchObject({ kind: 'pre-pull', status: 'succeeded', actor: null, purpose: `Pre-pull the images of ${NEXT_VERSION} in the background`, result: { version: NEXT_VERSION, pulled: 6 } });
    expect(pulled.events.filter((e) => e.step === 'pull' && e.data?.status === 'pulled')).toHaveLength(6);
    expect(await present(nextPinned)).toEqual(Array(6).fill(true));
    const ready = (await (await api('/releases/prepull')).json()) as PrePullStatusDto;
    expect(ready).toMatchObject({ state: 'ready', version: NEXT_VERSION, operationId: on.operationId, bytes: expect.any(Number) });
    const overview = (await (await fetch(`${app.baseURL}/api/overview`, { headers: { Cookie: app.cookie } })).json()) as LiveOverviewDto;
    expect(overview.prePull).toMatchObject({ state: 'ready', version: NEXT_VERSION });
    // The overview page says it beside the upgrade button (server-rendered, as the browser first sees it).
    const page = await (await fetch(`${app.baseURL}/`, { headers: { Cookie: app.cookie } })).text();
    expect(page).toContain(`${NEXT_VERSION} ready (pulled, `);
    console.log(`[prepull] pre-pull of ${NEXT_VERSION} took ${((Date.now() - started) / 1000).toFixed(1)} s; disk cost (layer storage growth): ${String(ready.bytes)} bytes`);

    // The upgrade: its pull step finds every image here and pulls none.
    const upgrade = await deploy({ version: NEXT_VERSION, skipBackup: { reason: 'the backup gate has its own test' } });
    expect(upgrade.end.status, JSON.stringify(upgrade.end.error)).toBe('succeeded');
    const pulls = upgrade.events.filter((e) => e.step === 'pull' && e.status === 'progress');
    expect(pulls.filter((e) => e.data?.status === 'pulling' || typeof e.data?.layer === 'string')).toEqual([]);
    const here = pulls.filter((e) => e.data?.status === 'present');
    // The new colour's three images (db, proxy and convex keep running), each by the digest pre-pulled.
    const digests = nextPinned.map((n) => n.slice(n.indexOf('@') + 1));
    expect(here).toHaveLength(3);
    for (const e of here) expect(digests).toContain(String(e.data?.image).split('@')[1]);
    for (const e of here) expect(e.text).toMatch(/^Images already pulled in the background \(\d\d:\d\d UTC\)$/);
    const took = (Date.parse(at(upgrade.events, 'pull', 'succeeded')!) - Date.parse(at(upgrade.events, 'pull', 'started')!)) / 1000;
    console.log(`[prepull] the upgrade's pull phase took ${took.toFixed(3)} s: ${here[0]?.text}`);

    // Live now: nothing newer to pull or show.
    expect(await setPrePull({ enabled: true })).toMatchObject({ state: 'idle', lastCheck: { outcome: `no newer release than ${NEXT_VERSION}` } });
    expect(await prePulls()).toHaveLength(1);
  }, 500_000);
});
