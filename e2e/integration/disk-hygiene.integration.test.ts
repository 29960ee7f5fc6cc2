import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiskUsageDto } from '@/lib/dto/disk';
import type { OperationDto } from '@/lib/dto/operations';
import { createDiskPort } from '@/server/docker/disk-usage';
import { allImageRefs } from '../fixtures/registry';
import { docker } from '../fixtures/run-command';
import { GOOD_VERSION, localImage, NEXT_VERSION, registryImage } from '../fixtures/versions';
import { prepareTestBedDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { createToken } from '../support/accounts';
import { startConsole, type RunningConsole } from '../support/console';
import { followToEnd } from '../support/sse-client';

// Issue #19's disk hygiene on the real Docker Engine and registry: 1.0.0 deployed, then 1.1.0
// (live 1.1.0, previous 1.0.0), plus two images of an older release 0.9.0 left on the host, each
// with a layer of its own, and an unrelated image of nobody's. The preview lists exactly the old
// platform image (the old rag image is held by a stopped container), with its size; a stale
// preview is refused; the operation removes what was previewed, Docker confirms, the unrelated
// image and the live and previous releases stay, and a rollback to 1.0.0 still works.

const OLD = '0.9.0';
const BLOB_BYTES = 3 * 1024 * 1024;
const UNRELATED = 'dk-unrelated:1';

let bed: ConsoleDeployment;
let app: RunningConsole;
let token = '';
let buildDir = '';
const holder = `dk-holder-${randomBytes(3).toString('hex')}`;
const oldImage = (service: 'platform' | 'rag') => registryImage(bed.registry.host, service, OLD);

/** An image FROM a fixture image with a random layer of its own, as an older release would have. */
async function buildWithOwnLayer(tag: string, from: string, version: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(buildDir, 'ctx-'));
  fs.writeFileSync(path.join(dir, 'blob'), randomBytes(BLOB_BYTES));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM ${from}\nLABEL org.opencontainers.image.version=${version}\nCOPY blob /blob\n`);
  await docker(['build', '-q', '-t', tag, dir], { timeoutMs: 120_000 });
}

beforeAll(async () => {
  bed = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION, NEXT_VERSION]), { prefix: 'dk', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '2' } });
  buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dk-build-'));
  await buildWithOwnLayer(oldImage('platform'), localImage('platform', GOOD_VERSION), OLD);
  await buildWithOwnLayer(oldImage('rag'), localImage('rag', GOOD_VERSION), OLD);
  await buildWithOwnLayer(UNRELATED, localImage('rag', GOOD_VERSION), '0.0.1');
  // A stopped container keeps its image: the old rag image is in use, though nothing runs it.
  await docker(['create', '--name', holder, oldImage('rag')]);
  app = await startConsole({ deployDir: bed.deployment.dir });
  token = (await createToken(app.baseURL, app.cookie, { name: 'dk disk', role: 'operator', expiresInDays: 30 })).token;
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await docker(['rm', '-f', holder], { allowFailure: true });
  if (bed) await docker(['rmi', oldImage('platform'), oldImage('rag'), UNRELATED], { allowFailure: true });
  if (buildDir) fs.rmSync(buildDir, { recursive: true, force: true });
  await bed?.dispose();
});

const api = (p: string, init: RequestInit = {}) =>
  fetch(`${app.baseURL}/api/v1${p}`, { ...init, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) }, signal: AbortSignal.timeout(60_000) });
const post = (p: string, body: unknown) => api(p, { method: 'POST', body: JSON.stringify(body) });
const follow = (id: string) => followToEnd(`${app.baseURL}/api/v1/operations/${id}/events`, { authorization: `Bearer ${token}`, timeoutMs: 250_000, context: () => app.output().slice(-2000) });
const disk = async () => {
  const res = await api('/disk');
  expect(res.status).toBe(200);
  return (await res.json()) as DiskUsageDto;
};
const exists = async (ref: string) => (await docker(['image', 'inspect', ref], { allowFailure: true })).code === 0;
const inspectSize = async (ref: string) => Number((await docker(['image', 'inspect', '--format', '{{.Size}}', ref])).stdout.trim());
const skipBackup = { reason: 'the backup gate has its own test' };

async function run(p: string, body: unknown): Promise<OperationDto> {
  const res = await post(p, body);
  expect(res.status, await res.clone().text()).toBe(202);
  const { end } = await follow(((await res.json()) as OperationDto).id);
  expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
  return end;
}

describe('disk hygiene on the real engine', () => {
  it('previews exactly the unused old image, refuses a stale preview, removes it, and keeps what runs or a rollback needs', async () => {
    await run('/deployments', { version: GOOD_VERSION });
    await run('/deployments', { version: NEXT_VERSION, skipBackup });

    const before = await disk();
    expect(before).toMatchObject({ liveVersion: NEXT_VERSION, previousVersions: [GOOD_VERSION] });
    // Exactly the old platform image: the old rag one is held by the stopped container.
    expect(before.plan.images.map((i) => i.names[0])).toEqual([oldImage('platform')]);
    const planned = before.plan.images[0]!;
    expect(planned.size).toBe(await inspectSize(oldImage('platform')));
    expect(planned.uniqueSize).toBeGreaterThanOrEqual(BLOB_BYTES);
    expect(before.plan.freedBytes).toBe(planned.uniqueSize);
    const rag = before.images.find((i) => i.names.includes(oldImage('rag')));
    expect(rag).toMatchObject({ remove: false, containers: [holder] });
    // Live and previous: kept, with the reason.
    const platform = (v: string) => before.images.filter((i) => i.service === 'platform' && i.version === v);
    expect(platform(NEXT_VERSION).every((i) => !i.remove && i.keptBecause.some((k) => k.startsWith('used by')))).toBe(true);
    expect(platform(GOOD_VERSION).length).toBeGreaterThan(0);
    expect(platform(GOOD_VERSION).every((i) => !i.remove && i.keptBecause.includes(`the previous release ${GOOD_VERSION}: a rollback goes there`))).toBe(true);
    expect(before.images.some((i) => i.names.some((n) => n.startsWith('dk-unrelated')))).toBe(false);
    expect(before.volumes.map((v) => v.name).every((n) => n.startsWith(`${bed.deployment.id}_`))).toBe(true);
    console.log(`[disk-hygiene] plan: ${planned.names[0]} size ${planned.size} B, its own ${planned.uniqueSize} B; images ${before.imagesBytes} B, volumes ${before.volumesBytes} B, build cache ${before.buildCacheBytes} B`);

    // Docker itself refuses to delete an image a (stopped) container uses: the adapter says in-use.
    expect(await createDiskPort(new Docker()).removeImage(oldImage('rag'))).toBe('in-use');
    expect(await exists(oldImage('rag'))).toBe(true);

    // The container goes: the plan changes, and the reviewed one is refused.
    await docker(['rm', '-f', holder]);
    const stale = await post('/disk/prune-images', { planId: before.plan.id });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ code: 'DISK_PLAN_CHANGED' });
    expect(await exists(oldImage('platform'))).toBe(true);

    const again = await disk();
    expect(again.plan.images.map((i) => i.names[0]).sort()).toEqual([oldImage('platform'), oldImage('rag')].sort());
    const op = await run('/disk/prune-images', { planId: again.plan.id });
    expect(op.purpose).toMatch(/^Remove unused images: 2 images, at least /);
    expect(op.result).toMatchObject({ removed: 2, kept: 0, freedBytes: again.plan.freedBytes });
    console.log(`[disk-hygiene] removed 2 images, at least ${again.plan.freedBytes} B; Docker's layers ${String(op.result?.layersSizeBefore)} → ${String(op.result?.layersSizeAfter)} B (shared engine: other tests move this too)`);

    expect(await exists(oldImage('platform'))).toBe(false);
    expect(await exists(oldImage('rag'))).toBe(false);
    expect(await exists(UNRELATED)).toBe(true);
    const after = await disk();
    expect(after.plan.images).toEqual([]);
    expect(after.images.filter((i) => i.version === GOOD_VERSION).map((i) => i.service).sort()).toEqual(before.images.filter((i) => i.version === GOOD_VERSION).map((i) => i.service).sort());

    // And the previous release is still there to go back to.
    const back = await run('/rollbacks', { skipBackup });
    expect(back.result).toMatchObject({ version: GOOD_VERSION });
  }, 600_000);
});
