import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDto, PlanPreviewDto, StackStatusDto } from '@/lib/dto/operations';
import type { PinPreviewDto } from '@/lib/dto/settings';
import { freeLoopbackPort } from '../fixtures/free-port';
import { httpGet, waitForUrl } from '../fixtures/http-get';
import { allImageRefs } from '../fixtures/registry';
import { docker } from '../fixtures/run-command';
import { GOOD_VERSION } from '../fixtures/versions';
import { prepareTestBedDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { startConsole, type RunningConsole } from '../support/console';
import { actionId, asReply, callAction, requireActionResult, type ActionAnswer } from '../support/server-actions';
import { followToEnd } from '../support/sse-client';

// One "Apply now" runs everything a saved change needs, as one operation, on the real test bed: a
// BASE_PATH change recreates the proxy and deploys the colours (the site then answers under the new
// path); a change of the proxy's published ports recreates only the proxy, which then answers on
// the new port. The proxy publishes on free loopback ports, never the machine's 80/443.

let bed: ConsoleDeployment;
let app: RunningConsole;

beforeAll(async () => {
  bed = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION]), { prefix: 'st-apply', tlsMode: 'external', extraEnv: { DRAIN_TIMEOUT: '2', HEALTH_CHECK_TIMEOUT: '120' } });
  app = await startConsole({ deployDir: bed.deployment.dir });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await bed?.dispose();
});

async function act<T>(file: string, name: string, input?: unknown): Promise<ActionAnswer<T>> {
  return requireActionResult<T>(await callAction(app.baseURL, actionId(`app/(console)/${file}#${name}`), input === undefined ? ['local'] : ['local', asReply(input)], app.cookie));
}
const settings = <T>(name: string, input?: unknown) => act<T>('settings/actions.ts', name, input);
const follow = (id: string) => followToEnd(`${app.baseURL}/api/operations/${id}/events`, { cookie: app.cookie, timeoutMs: 280_000, context: () => app.output().slice(-2000) });
const get = async <T>(url: string) => (await (await fetch(`${app.baseURL}${url}`, { headers: { Cookie: app.cookie } })).json()) as T;
const status = () => get<StackStatusDto>('/api/v1/status');
const history = async () => (await get<{ operations: OperationDto[] }>('/api/v1/operations')).operations;
const proxyId = async () => (await docker(['inspect', '--format', '{{.Id}}', `${bed.deployment.id}-proxy`])).stdout.trim();
const platform = (r: { headers: Record<string, unknown> }) => r.headers['x-tale-service'] === 'platform';
const overrideFile = () => path.join(bed.deployment.dir, 'compose.override.yml');

function ok<T>(res: ActionAnswer<T>): T {
  if (!res.ok) throw new Error(`${res.code}: ${res.message} ${JSON.stringify(res.fieldErrors ?? {})}`);
  return res.data;
}

/** Apply now as the banner does it: preview, then one operation, followed to its end. */
async function applyNow(): Promise<{ preview: PlanPreviewDto; op: OperationDto; steps: string[]; events: string; ms: number }> {
  const preview = ok(await settings<PlanPreviewDto>('previewApplyAction'));
  const before = (await history()).length;
  const t0 = Date.now();
  const op = ok(await settings<OperationDto>('applyNowAction'));
  const { events, end } = await follow(op.id);
  const ms = Date.now() - t0;
  expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
  // One click, one operation: nothing else was started.
  expect((await history()).length).toBe(before + 1);
  return { preview, op: end, steps: [...new Set(events.map((e) => e.step))], events: JSON.stringify(events), ms };
}

describe('Apply now on the test bed', () => {
  it('deploys first', async () => {
    const res = await fetch(`${app.baseURL}/api/v1/deployments`, {
      method: 'POST',
      headers: { Cookie: app.cookie, Origin: app.baseURL, 'Content-Type': 'application/json' },
      body: JSON.stringify({ version: GOOD_VERSION }),
    });
    expect(res.status).toBe(202);
    expect((await follow(((await res.json()) as OperationDto).id)).end.status).toBe('succeeded');
    await waitForUrl(`http://127.0.0.1:${bed.ports.http}/`, { host: 'localhost', accept: platform, deadlineMs: 60_000 });
  }, 300_000);

  it('a BASE_PATH change: one Apply recreates the proxy, then deploys the colours, and the site answers under the new path', async () => {
    ok(await settings('saveDomainAction', { HOST: 'localhost', SITE_URL: 'https://localhost', TLS_MODE: 'external', TLS_EMAIL: '', BASE_PATH: '/tale' }));
    const proxyBefore = await proxyId();
    const colourBefore = (await status()).activeColor;

    const { preview, op, steps, events, ms } = await applyNow();
    console.log(`[settings-apply] BASE_PATH apply (proxy + colours) took ${ms} ms`);
    // The dialog warned of the blip and listed both parts.
    expect(preview.proxyRestartSeconds).not.toBeNull();
    expect(preview.steps.join('\n')).toContain(`${bed.deployment.id}-proxy`);
    expect(preview.steps.join('\n')).toMatch(/switch/i);
    expect(op).toMatchObject({ kind: 'apply-settings', params: { version: GOOD_VERSION, proxy: true, colors: true } });
    expect(op.result).toMatchObject({ proxyRecreated: true, colors: true });
    // The timeline names both: the proxy's replacement and the colours' switch, in that order.
    expect(steps).toEqual(expect.arrayContaining(['stateful', 'switch']));
    expect(steps.indexOf('stateful')).toBeLessThan(steps.indexOf('switch'));
    expect(events).toContain(`${bed.deployment.id}-proxy`);

    expect(await proxyId()).not.toBe(proxyBefore);
    expect((await status()).activeColor).not.toBe(colourBefore);
    await waitForUrl(`http://127.0.0.1:${bed.ports.http}/tale/`, { host: 'localhost', accept: platform, deadlineMs: 60_000 });
    // Nothing is left for a second click.
    const again = await settings('previewApplyAction');
    expect(again.ok ? 'ok' : again.code).toBe('NOTHING_PENDING');
  }, 300_000);

  it('a changed published port: one line of the hand-written override changes, and after one Apply the proxy answers on it', async () => {
    const before = fs.readFileSync(overrideFile(), 'utf8');
    const http = await freeLoopbackPort();
    const input = { bind: '127.0.0.1', http, https: bed.ports.https };
    const preview = ok(await settings<PinPreviewDto>('previewPortsAction', input));
    ok(await settings('savePortsAction', { ...input, baseHash: preview.baseHash }));
    const after = fs.readFileSync(overrideFile(), 'utf8');
    expect(after).toBe(before.replace(`'127.0.0.1:${bed.ports.http}:80'`, `'127.0.0.1:${http}:80'`));

    const colourBefore = (await status()).activeColor;
    const { preview: plan, op, ms } = await applyNow();
    console.log(`[settings-apply] ports apply (proxy only) took ${ms} ms`);
    expect(plan.proxyRestartSeconds).not.toBeNull();
    expect(op).toMatchObject({ kind: 'apply-settings', params: { proxy: true, colors: false }, result: { proxyRecreated: true } });
    // Only the proxy: the colours stay where they were.
    expect((await status()).activeColor).toBe(colourBefore);
    await waitForUrl(`http://127.0.0.1:${http}/tale/`, { host: 'localhost', accept: platform, deadlineMs: 60_000 });
    await expect(httpGet(`http://127.0.0.1:${bed.ports.http}/tale/`, { host: 'localhost', timeoutMs: 3000 })).rejects.toThrow();
  }, 300_000);
});
