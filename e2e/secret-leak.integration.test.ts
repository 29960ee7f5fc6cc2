import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OperationDto } from '@/lib/dto/operations';
import { SECRET_GENERATORS } from '@/server/project/secrets';
import { createDeployment, type Deployment } from './fixtures/deployment';
import { ensureFixtureImages } from './fixtures/fixture-images';
import { freeLoopbackPort } from './fixtures/free-port';
import { pushImages, startRegistry, type Registry } from './fixtures/registry';
import { GOOD_VERSION, NEVER_HEALTHY_VERSION, SERVICES } from './fixtures/versions';
import { entryPoints, type EntryPoint } from './support/entry-points';
import { signIn, startConsole, type RunningConsole } from './support/console';
import { actionIds, actionResult, callAction } from './support/server-actions';
import { followToEnd, readSse } from './support/sse-client';

// After a full deploy, a failed deploy and every settings change the console offers, no secret
// value of the project's .env (the keys server/project/secrets.ts generates) appears in operation
// events, API answers, the console's own log output, or any page an operator or viewer gets.

let registry: Registry;
let deployment: Deployment;
let app: RunningConsole;
const cookies: Record<'operator' | 'viewer', string> = { operator: '', viewer: '' };
const seen: { where: string; text: string }[] = [];
const operations: string[] = [];

/**
 * Settings changes to make before the scan. Every action that changes a console or deployment
 * setting belongs here with a valid input, so its effects are scanned too.
 */
const SETTINGS_CHANGES: { action: string; args: unknown[] }[] = [
  { action: 'app/(console)/settings/actions.ts#saveEnvAction', args: [{ edits: { DRAIN_TIMEOUT: '3' } }] },
  { action: 'app/(console)/settings/actions.ts#saveDomainAction', args: [{ HOST: 'localhost', SITE_URL: 'https://localhost', TLS_MODE: 'external', BASE_PATH: '/tale' }] },
  { action: 'app/(console)/settings/actions.ts#savePinAction', args: [{ service: 'rag', image: 'registry.example:5000/tale-rag:1.0.0' }] },
  // Last on purpose: from here on the (unenrolled) admin may only enrol; the scan needs no admin.
  { action: 'app/(console)/users/actions.ts#setAdminTotpRequiredAction', args: [{ required: true }] },
];

beforeAll(async () => {
  await ensureFixtureImages();
  registry = await startRegistry();
  await pushImages(registry, [GOOD_VERSION, NEVER_HEALTHY_VERSION].flatMap((version) => SERVICES.map((service) => ({ service, version }))));
  deployment = await createDeployment({ prefix: 'leak-scan', registry: registry.host, extraEnv: { HEALTH_CHECK_TIMEOUT: '90', DRAIN_TIMEOUT: '2' } });
  // Never on the host's 80/443: the proxy publishes on free loopback ports instead.
  const [http, https] = [await freeLoopbackPort(), await freeLoopbackPort()];
  fs.writeFileSync(path.join(deployment.dir, 'compose.override.yml'), `services:\n  proxy:\n    ports: !override ['127.0.0.1:${http}:80', '127.0.0.1:${https}:443']\n`);
  app = await startConsole({ deployDir: deployment.dir });
  const create = actionIds().get('app/(console)/users/actions.ts#createUserAction')!;
  for (const role of ['operator', 'viewer'] as const) {
    const res = await callAction(app.baseURL, create, [{ name: role, email: `${role}@example.com`, role, password: `${role}-password-123` }], app.cookie);
    expect(actionResult(res)?.ok).toBe(true);
    cookies[role] = (await signIn(app.baseURL, `${role}@example.com`, `${role}-password-123`))!;
  }
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await deployment?.dispose();
  await registry?.stop();
});

async function deploy(version: string): Promise<OperationDto> {
  const res = await fetch(`${app.baseURL}/api/v1/deployments`, {
    method: 'POST',
    headers: { Cookie: cookies.operator, 'Content-Type': 'application/json', Origin: app.baseURL },
    body: JSON.stringify({ version }),
  });
  const text = await res.text();
  seen.push({ where: `POST /api/v1/deployments ${version}`, text });
  expect(res.status, text).toBe(202);
  const op = JSON.parse(text) as OperationDto;
  operations.push(op.id);
  const { frames, end } = await followToEnd(`${app.baseURL}/api/operations/${op.id}/events`, { cookie: cookies.viewer, timeoutMs: 280_000 });
  seen.push({ where: `events of ${version}`, text: frames.map((e) => e.data).join('\n') });
  return end;
}

it('a full deploy succeeds and a never-healthy one fails, as the scan needs', async () => {
  const good = await deploy(GOOD_VERSION);
  expect(good.status, `${JSON.stringify(good.error)}\n${app.output().slice(-3000)}`).toBe('succeeded');
  const failed = await deploy(NEVER_HEALTHY_VERSION);
  expect(failed.status).toBe('failed');
}, 600_000);

it('settings change', async () => {
  const ids = actionIds();
  for (const change of SETTINGS_CHANGES) {
    const answer = await callAction(app.baseURL, ids.get(change.action)!, change.args, app.cookie);
    seen.push({ where: change.action, text: answer });
    expect(actionResult(answer)?.ok, answer).toBe(true);
  }
});

it('no secret of .env appears in events, API answers, server logs or pages for an operator or viewer', async () => {
  const secrets = Object.keys(SECRET_GENERATORS).map((k) => [k, deployment.env[k]!] as const);
  expect(secrets.every(([, v]) => v && v.length >= 16)).toBe(true);

  const pages = entryPoints().filter((ep): ep is Extract<EntryPoint, { kind: 'page' }> => ep.kind === 'page');
  const routes = entryPoints().filter((ep): ep is Extract<EntryPoint, { kind: 'route' }> => ep.kind === 'route' && ep.methods.includes('GET') && !ep.url.startsWith('/api/auth/'));
  for (const role of ['operator', 'viewer'] as const) {
    const headers = { Cookie: cookies[role] };
    const urls = [
      ...pages.flatMap((p) => (p.url.includes('sample') ? operations.map((id) => p.url.replace('sample', id)) : [p.url])),
      ...routes.filter((r) => !r.url.includes('sample') && !r.url.endsWith('/stream')).map((r) => r.url),
      ...operations.map((id) => `/api/v1/operations?id=${id}`),
      '/api/logs/download?service=all&tail=2000&follow=0',
    ];
    for (const url of urls) {
      const res = await fetch(`${app.baseURL}${url}`, { headers, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
      seen.push({ where: `${role} GET ${url} (${res.status})`, text: await res.text() });
    }
    // A bounded read of the live log stream, replaying its recent lines.
    const lines: string[] = [];
    await readSse(`${app.baseURL}/api/logs/stream?service=all&tail=2000&follow=0`, {
      cookie: cookies[role],
      signal: AbortSignal.timeout(20_000),
      onEvent: (e) => (lines.push(e.data), lines.length > 5000 ? 'stop' : undefined),
    }).catch(() => 0);
    seen.push({ where: `${role} log stream`, text: lines.join('\n') });
  }
  seen.push({ where: 'console server log', text: app.output() });

  expect(seen.length).toBeGreaterThan(10);
  const leaks: string[] = [];
  for (const [key, value] of secrets) {
    // As written, and as JSON or a URL would escape it.
    const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
    for (const s of seen) if ([...forms].some((f) => s.text.includes(f))) leaks.push(`${key} in ${s.where}`);
  }
  expect(leaks).toEqual([]);
}, 300_000);
