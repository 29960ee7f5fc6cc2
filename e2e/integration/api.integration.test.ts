import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationDto, StackStatusDto } from '@/lib/dto/operations';
import type { VersionsDto } from '@/lib/dto/versions';
import type { Deployment } from '../fixtures/deployment';
import { allImageRefs, type Registry } from '../fixtures/registry';
import { GOOD_VERSION, NEXT_VERSION } from '../fixtures/versions';
import { prepareTestBedDeployment } from '../support/console-deployment';
import { createToken, expireToken, revokeToken, type NewUser } from '../support/accounts';
import { startConsole, type RunningConsole } from '../support/console';
import { entryPoints } from '../support/entry-points';
import { followToEnd } from '../support/sse-client';

// The HTTP API as CI/CD uses it: bearer tokens an admin created in the console, against a real
// console, Docker Engine, registry and stack. The stack's proxy publishes loopback ports only.

let registry: Registry;
let deployment: Deployment;
let app: RunningConsole;
const tokens: Record<'operator' | 'viewer' | 'revoked' | 'expired', string> = { operator: '', viewer: '', revoked: '', expired: '' };

const adminsToken = (name: string, role: NewUser['role']) => createToken(app.baseURL, app.cookie, { name, role, expiresInDays: 30 });

beforeAll(async () => {
  ({ registry, deployment } = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION, NEXT_VERSION]), { prefix: 'api-it', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '2' } }));
  app = await startConsole({ deployDir: deployment.dir });

  tokens.operator = (await adminsToken('ci deploy', 'operator')).token;
  tokens.viewer = (await adminsToken('ci read', 'viewer')).token;
  const revoked = await adminsToken('old laptop', 'operator');
  await revokeToken(app.baseURL, app.cookie, revoked.id);
  tokens.revoked = revoked.token;
  const expired = await adminsToken('short lived', 'operator');
  expireToken(app, expired.id);
  tokens.expired = expired.token;
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await deployment?.dispose();
  await registry?.stop();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const api = (p: string, init: RequestInit = {}) => fetch(`${app.baseURL}/api/v1${p}`, { ...init, signal: AbortSignal.timeout(30_000) });
const postJson = (p: string, body: unknown, headers: Record<string, string>) =>
  api(p, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

const follow = (id: string, token: string) =>
  followToEnd(`${app.baseURL}/api/v1/operations/${id}/events`, { authorization: `Bearer ${token}`, timeoutMs: 250_000, context: () => app.output().slice(-2000) });

describe('authentication', () => {
  it('answers 401 with a JSON error without a token, with an unknown, revoked or expired one', async () => {
    for (const headers of [{}, bearer(`tale_${'A'.repeat(43)}`), bearer(tokens.revoked), bearer(tokens.expired), { Authorization: 'Basic YTpi' }]) {
      for (const res of [await api('/status', { headers }), await postJson('/deployments', { version: GOOD_VERSION }, headers)]) {
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(((await res.json()) as { code: string }).code).toMatch(/^(UNAUTHENTICATED|INVALID_TOKEN)$/);
      }
    }
    const sse = await api(`/operations/${crypto.randomUUID()}/events`, { headers: bearer(tokens.revoked) });
    expect(sse.status).toBe(401);
  });

  it('lets a viewer token read but not deploy', async () => {
    const me = await api('/me', { headers: bearer(tokens.viewer) });
    expect(await me.json()).toMatchObject({ email: 'admin@example.com (token: ci read)', role: 'viewer' });
    expect((await api('/status', { headers: bearer(tokens.viewer) })).status).toBe(200);
    const res = await postJson('/deployments', { version: GOOD_VERSION }, bearer(tokens.viewer));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN');
  });

  it('refuses cookie-authenticated writes from another origin or without one; tokens need none', async () => {
    const cookie = { Cookie: app.cookie };
    const extras: Record<string, string>[] = [{}, { Origin: 'https://evil.example' }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'cross-site' }];
    for (const extra of extras) {
      const res = await postJson('/deployments', { unknown: 1 }, { ...cookie, ...extra });
      expect(res.status, JSON.stringify(extra)).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('BAD_ORIGIN');
    }
    // Past the origin check, the strict schema is what stops these.
    expect((await postJson('/deployments', { unknown: 1 }, { ...cookie, Origin: app.baseURL })).status).toBe(400);
    expect((await postJson('/deployments', { unknown: 1 }, { ...cookie, 'Sec-Fetch-Site': 'same-origin' })).status).toBe(400);
    expect((await postJson('/deployments', { unknown: 1 }, bearer(tokens.operator))).status).toBe(400);
    // Reads need no origin.
    expect((await api('/status', { headers: cookie })).status).toBe(200);
  });

  it('applies the origin check to every unsafe route under /api/v1', async () => {
    const unsafe = entryPoints().filter((ep) => ep.kind === 'route' && ep.url.startsWith('/api/v1/') && ep.methods.some((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m)));
    expect(unsafe.length).toBeGreaterThanOrEqual(4);
    for (const ep of unsafe) {
      if (ep.kind !== 'route') continue;
      for (const method of ep.methods.filter((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m))) {
        const res = await fetch(`${app.baseURL}${ep.url}`, { method, headers: { Cookie: app.cookie, 'Content-Type': 'application/json' }, body: '{"probe":1}' });
        expect(res.status, `${method} ${ep.url}`).toBe(403);
      }
    }
  });
});

describe('requests', () => {
  it('refuses unknown keys, malformed JSON, other media types and oversized bodies with coded 4xx', async () => {
    const h = bearer(tokens.operator);
    const cases: [RequestInit, number, string][] = [
      [{ body: '{"version":"1.0.0","force":true}', headers: { ...h, 'Content-Type': 'application/json' } }, 400, 'INVALID_INPUT'],
      [{ body: '{"version":"1.0.0; rm -rf /"}', headers: { ...h, 'Content-Type': 'application/json' } }, 400, 'INVALID_INPUT'],
      [{ body: '{not json', headers: { ...h, 'Content-Type': 'application/json' } }, 400, 'MALFORMED_JSON'],
      [{ body: 'version=1.0.0', headers: { ...h, 'Content-Type': 'application/x-www-form-urlencoded' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [{ body: JSON.stringify({ version: 'x'.repeat(20_000) }), headers: { ...h, 'Content-Type': 'application/json' } }, 413, 'BODY_TOO_LARGE'],
    ];
    for (const [init, status, code] of cases) {
      const res = await api('/deployments', { method: 'POST', ...init });
      const body = (await res.json()) as { code: string; message: string };
      expect([res.status, body.code], String(init.body).slice(0, 60)).toEqual([status, code]);
      expect(body.message).not.toMatch(/\bat\s+\S+\.(js|ts):\d+/); // no stack trace
    }
    expect((await api(`/operations/not-a-uuid`, { headers: h })).status).toBe(404);
  });

  it('serves its OpenAPI document without credentials', async () => {
    const res = await api('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/deployments', '/api/v1/rollbacks', '/api/v1/operations/{id}/events']));
  });

  it('lists the registry’s versions newest first with their availability', async () => {
    const res = await api('/versions?limit=5', { headers: bearer(tokens.viewer) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as VersionsDto;
    expect(body.error).toBeNull();
    const ours = body.versions.filter((v) => [GOOD_VERSION, NEXT_VERSION].includes(v.version));
    expect(ours).toEqual([
      { version: NEXT_VERSION, available: true, missing: [], failedHere: null },
      { version: GOOD_VERSION, available: true, missing: [], failedHere: null },
    ]);
    expect((await api('/versions?limit=500', { headers: bearer(tokens.viewer) })).status).toBe(400);
  });

  it('chooses the environment with ?env=: unknown 404, malformed 400, local as when left out', async () => {
    const h = bearer(tokens.operator);
    const opsBefore = ((await (await api('/operations', { headers: h })).json()) as { operations: OperationDto[] }).operations.length;
    const refusals: [Response, number, string][] = [
      [await api('/status?env=nope', { headers: h }), 404, 'ENVIRONMENT_NOT_FOUND'],
      [await postJson('/deployments?env=nope', { version: GOOD_VERSION, dryRun: true }, h), 404, 'ENVIRONMENT_NOT_FOUND'],
      [await api('/operations?env=Bad!', { headers: h }), 400, 'INVALID_ENVIRONMENT'],
      [await postJson('/cleanups?env=Bad!', {}, h), 400, 'INVALID_ENVIRONMENT'],
      [await api(`/operations/${crypto.randomUUID()}/events?env=nope`, { headers: h }), 404, 'ENVIRONMENT_NOT_FOUND'],
    ];
    for (const [res, status, code] of refusals) expect([res.status, ((await res.json()) as { code: string }).code], res.url).toEqual([status, code]);
    // Nothing was started in any environment.
    expect(((await (await api('/operations', { headers: h })).json()) as { operations: OperationDto[] }).operations).toHaveLength(opsBefore);
    // `local` is the default: the same answers, and routes with strict query schemas take it beside their own keys.
    for (const p of ['/status', '/operations', '/versions?limit=5', '/health/history?range=1h']) {
      const sep = p.includes('?') ? '&' : '?';
      const [plain, local] = await Promise.all([api(p, { headers: h }), api(`${p}${sep}env=local`, { headers: h })]);
      expect([plain.status, local.status], p).toEqual([200, 200]);
      const [a, b] = [(await plain.json()) as Record<string, unknown>, (await local.json()) as Record<string, unknown>];
      if (p.startsWith('/health')) expect(Object.keys(b).sort(), p).toEqual(Object.keys(a).sort());
      else expect(b, p).toEqual(a);
    }
    const me = (await (await api('/me?env=local', { headers: h })).json()) as { role: string };
    expect(me.role).toBe('operator');
  });
});

describe('a token drives a release', () => {
  it('deploys, upgrades and rolls back, streaming every operation’s events', async () => {
    const h = bearer(tokens.operator);
    const t0 = Date.now();
    const run = async (route: string, body: unknown) => {
      const res = body === undefined ? await api(route, { method: 'POST', headers: h }) : await postJson(route, body, h);
      expect(res.status, await res.clone().text()).toBe(202);
      const op = (await res.json()) as OperationDto;
      expect(res.headers.get('location')).toBe(`/api/v1/operations/${op.id}`);
      const followed = await follow(op.id, tokens.operator);
      expect(followed.end.status, JSON.stringify(followed.end.error)).toBe('succeeded');
      return { op, ...followed };
    };

    const first = await run('/deployments', { version: GOOD_VERSION });
    expect([...new Set(first.events.map((e) => e.step))]).toEqual(expect.arrayContaining(['resolve', 'pull', 'start', 'health', 'switch', 'done']));
    expect(first.events.map((e) => e.seq)).toEqual(first.events.map((_, i) => i + 1));
    // No backup repository here: the backup gate (backup-gate.integration.test.ts) is skipped with a reason.
    await run('/deployments', { version: NEXT_VERSION, skipBackup: { reason: 'the backup gate has its own test' } });

    // Going back by a deploy needs the dialog's confirmation as a flag; without it nothing starts.
    const opsBefore = ((await (await api('/operations', { headers: h })).json()) as { operations: OperationDto[] }).operations.length;
    const refused = await postJson('/deployments', { version: GOOD_VERSION }, h);
    const refusal = (await refused.json()) as { code: string; message: string };
    expect([refused.status, refusal.code]).toEqual([400, 'DOWNGRADE_NOT_CONFIRMED']);
    expect(refusal.message).toContain(`${GOOD_VERSION} is older than the live version ${NEXT_VERSION}`);
    expect(refusal.message).toContain('"allowDowngrade": true');
    const opsAfter = ((await (await api('/operations', { headers: h })).json()) as { operations: OperationDto[] }).operations.length;
    expect(opsAfter).toBe(opsBefore);
    expect(((await (await api('/status', { headers: h })).json()) as StackStatusDto).activeVersion).toBe(NEXT_VERSION);
    const down = await run('/deployments', { version: GOOD_VERSION, allowDowngrade: true, skipBackup: { reason: 'the backup gate has its own test' } });
    expect(down.op.params).toMatchObject({ version: GOOD_VERSION, allowDowngrade: true });

    // A rollback is the request to go back by its name: no flag. It returns to NEXT_VERSION.
    const back = await run('/rollbacks', { skipBackup: { reason: 'the backup gate has its own test' } });
    console.log(`[api] deploy, upgrade, downgrade and rollback through the API took ${Math.round((Date.now() - t0) / 1000)} s`);
    expect((await run('/cleanups', undefined)).end.kind).toBe('cleanup');

    const status = (await (await api('/status', { headers: h })).json()) as StackStatusDto;
    expect([status.activeVersion, status.previousVersion]).toEqual([NEXT_VERSION, GOOD_VERSION]);

    const op = (await (await api(`/operations/${back.op.id}`, { headers: h })).json()) as OperationDto;
    expect(op).toMatchObject({ kind: 'rollback', status: 'succeeded', actor: 'admin@example.com (token: ci deploy)' });
    const list = (await (await api('/operations', { headers: h })).json()) as { operations: OperationDto[] };
    expect(list.operations.map((o) => o.id)).toEqual(expect.arrayContaining([first.op.id, back.op.id]));

    // Cancelling what has finished is a clear conflict, not a success.
    const cancel = await api(`/operations/${back.op.id}/cancel`, { method: 'POST', headers: h });
    expect(cancel.status).toBe(409);
    expect(((await cancel.json()) as { code: string }).code).toBe('NOT_RUNNING');

    // The audit trail names the token, and never holds a token's secret.
    const audit = await (await api('/audit?action=operations.rollback', { headers: { Cookie: app.cookie } })).text();
    expect(audit).toContain('admin@example.com (token: ci deploy)');
    const everything = await (await api('/audit', { headers: { Cookie: app.cookie } })).text();
    for (const t of Object.values(tokens)) expect(everything).not.toContain(t.slice(12));
    expect(everything).toContain('api_tokens.create');
    expect(everything).toContain('api_tokens.revoke');
  }, 600_000);
});
