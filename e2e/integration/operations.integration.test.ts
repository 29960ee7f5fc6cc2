import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDto, StackStatusDto } from '@/lib/dto/operations';
import type { Deployment } from '../fixtures/deployment';
import { allImageRefs, type Registry } from '../fixtures/registry';
import { EXITS_VERSION, GOOD_VERSION, NEXT_VERSION } from '../fixtures/versions';
import { prepareTestBedDeployment } from '../support/console-deployment';
import { auditEvents } from '../support/audit';
import { startConsole, type RunningConsole } from '../support/console';
import { actionId, callAction, requireActionResult, type ActionAnswer } from '../support/server-actions';
import { followToEnd } from '../support/sse-client';

// Deploys driven through the console's own HTTP API and server actions, run by server/operations on
// the real engine. The stack's proxy publishes on free loopback ports (never the machine's 80/443).

let registry: Registry;
let deployment: Deployment;
let app: RunningConsole;

beforeAll(async () => {
  ({ registry, deployment } = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION, NEXT_VERSION, EXITS_VERSION]), { prefix: 'ops-it', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '5' } }));
  app = await startConsole({ deployDir: deployment.dir });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await deployment?.dispose();
  await registry?.stop();
});

const post = (body: unknown) =>
  fetch(`${app.baseURL}/api/v1/deployments`, { method: 'POST', headers: { Cookie: app.cookie, Origin: app.baseURL, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

const follow = (id: string, lastEventId?: string) =>
  followToEnd(`${app.baseURL}/api/operations/${id}/events`, { cookie: app.cookie, lastEventId, timeoutMs: 280_000, context: () => app.output().slice(-2000) });

const ACTIONS = 'app/(console)/deployments/actions.ts';
/** A server action as the browser calls it; the operation (or the refusal) from its RSC answer. */
async function action(name: string, input: unknown): Promise<ActionAnswer<OperationDto>> {
  return requireActionResult<OperationDto>(await callAction(app.baseURL, actionId(`${ACTIONS}#${name}`), ['local', input], app.cookie));
}

const status = async () => (await (await fetch(`${app.baseURL}/api/v1/status`, { headers: { Cookie: app.cookie } })).json()) as StackStatusDto;
const secrets = () => Object.entries(deployment.env).filter(([k]) => /SECRET|PASSWORD|KEY/.test(k)).map(([, v]) => v);

describe('operations through the console', () => {
  it('runs exactly one of 20 concurrent deploy requests and refuses the rest clearly', async () => {
    const t0 = Date.now();
    const responses = await Promise.all(Array.from({ length: 20 }, () => post({ version: GOOD_VERSION })));
    console.log(`[operations] 20 concurrent deploy requests answered in ${Date.now() - t0} ms`);
    const accepted = responses.filter((r) => r.status === 202);
    const refused = responses.filter((r) => r.status === 409);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(19);
    expect(((await refused[0]!.json()) as { code: string }).code).toBe('OPERATION_IN_PROGRESS');

    const op = (await accepted[0]!.json()) as OperationDto;
    const { events, end } = await follow(op.id);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    const steps = [...new Set(events.map((e) => e.step))];
    expect(steps).toEqual(expect.arrayContaining(['lock', 'resolve', 'pull', 'start', 'health', 'switch', 'done']));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));

    // A reconnect replays from where it left off, with nothing repeated.
    const replay = await follow(op.id, '3');
    expect(replay.events[0]?.seq).toBe(4);
    expect(replay.events).toHaveLength(events.length - 3);

    const s = await status();
    expect(s.activeColor).toBe('blue');
    expect(s.activeVersion).toBe(GOOD_VERSION);
  });

  it('upgrades blue-green, then refuses a broken version with its logs and keeps the live colour', async () => {
    const up = (await (await post({ version: NEXT_VERSION, skipBackup: { reason: 'the backup gate has its own test' } })).json()) as OperationDto;
    expect((await follow(up.id)).end.status).toBe('succeeded');
    let s = await status();
    expect([s.activeColor, s.activeVersion, s.previousVersion]).toEqual(['green', NEXT_VERSION, GOOD_VERSION]);

    const bad = (await (await post({ version: EXITS_VERSION, skipBackup: { reason: 'the backup gate has its own test' } })).json()) as OperationDto;
    const { events, end } = await follow(bad.id);
    expect(end.status).toBe('failed');
    // Tale's restart policy brings the exited container back, so either is seen first.
    expect(['CONTAINER_EXITED', 'CONTAINER_RESTARTED']).toContain(end.error?.code);
    const failure = events.find((e) => e.status === 'failed' && Array.isArray(e.data?.logs));
    expect((failure?.data?.logs as unknown[]).length).toBeGreaterThan(0);
    s = await status();
    expect([s.activeColor, s.activeVersion, s.previousVersion]).toEqual(['green', NEXT_VERSION, GOOD_VERSION]);
    expect(s.containers.filter((c) => c.color === 'blue' && c.status !== 'not deployed')).toEqual([]);

    // No secret of the project's .env in any event, status or history answer.
    const everything = JSON.stringify([events, end, s, await (await fetch(`${app.baseURL}/api/v1/operations`, { headers: { Cookie: app.cookie } })).json()]);
    for (const secret of secrets()) expect(everything).not.toContain(secret);
  });

  it('refuses malformed deploy requests with a 400 naming the field', async () => {
    for (const body of [{ version: '1.0.0; rm -rf /' }, { version: '../../etc/passwd' }, { all: 'yes' }, { extra: 1 }]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const bad = await fetch(`${app.baseURL}/api/v1/deployments`, { method: 'POST', headers: { Cookie: app.cookie, Origin: app.baseURL, 'Content-Type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
  });

  it('updates a named service in place: the live colour and the other services stay', async () => {
    const before = await status();
    const platformBefore = before.containers.find((c) => c.service === 'platform' && c.active);
    const ragBefore = before.containers.find((c) => c.service === 'rag' && c.active);
    // Back to the older release in place: a downgrade, confirmed as the dialog would.
    const res = await action('updateAction', { services: ['platform'], version: GOOD_VERSION, allowDowngrade: true, skipBackup: { reason: 'the backup gate has its own test' } });
    if (!res.ok) throw new Error(`${res.code}: ${res.message}`);
    expect(res.data.kind).toBe('update');
    const { events, end } = await follow(res.data.id);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    expect(events.map((e) => e.step)).toEqual(expect.arrayContaining(['lock', 'plan', 'pull', 'start', 'health', 'switch', 'retire', 'done']));
    const s = await status();
    expect(s.activeColor).toBe(before.activeColor);
    const platform = s.containers.find((c) => c.service === 'platform' && c.active);
    expect(platform?.version).toBe(GOOD_VERSION);
    expect(platform?.name).toBe(platformBefore?.name);
    expect(platform?.startedAt).not.toBe(platformBefore?.startedAt);
    expect(s.containers.find((c) => c.service === 'rag' && c.active)?.startedAt).toBe(ragBefore?.startedAt);
    expect(s.previousVersion).toBe(NEXT_VERSION);

    const bad = await action('updateAction', { services: ['nginx'] });
    expect(bad.ok ? 'started' : bad.code).toBe('INVALID_INPUT');
  });

  it('refuses cleanup and reset with a wrong project id, then resets with the right one', async () => {
    const wrong = await action('resetAction', { projectId: `${deployment.id}x`, all: true });
    expect(wrong.ok ? 'started' : wrong.code).toBe('CONFIRMATION_MISMATCH');
    const wrongCleanup = await action('cleanupAction', { projectId: 'not-this-one' });
    expect(wrongCleanup.ok ? 'started' : wrongCleanup.code).toBe('CONFIRMATION_MISMATCH');
    const volumesWithoutAll = await action('resetAction', { projectId: deployment.id, volumes: true });
    expect(volumesWithoutAll.ok ? 'started' : volumesWithoutAll.code).toBe('INVALID_INPUT');
    expect((await status()).activeColor).toBe('green');

    const res = await action('resetAction', { projectId: deployment.id, all: true });
    if (!res.ok) throw new Error(`${res.code}: ${res.message}`);
    const { end } = await follow(res.data.id);
    expect(end.status, JSON.stringify(end.error)).toBe('succeeded');
    const s = await status();
    expect(s.activeColor).toBeNull();
    expect(s.containers.filter((c) => c.status !== 'not deployed')).toEqual([]);

    // The refusals are in the audit trail, without the typed value.
    const audit = await auditEvents(app.baseURL, app.cookie, 'operations.reset');
    expect(audit.map((a) => a.outcome)).toEqual(expect.arrayContaining(['denied', 'success']));
  });
});
