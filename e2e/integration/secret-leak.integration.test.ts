import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { OperationDto } from '@/lib/dto/operations';
import { SECRET_GENERATORS } from '@/server/project/secrets';
import type { Deployment } from '../fixtures/deployment';
import { allImageRefs, type Registry } from '../fixtures/registry';
import { GOOD_VERSION, NEVER_HEALTHY_VERSION } from '../fixtures/versions';
import { prepareTestBedDeployment } from '../support/console-deployment';
import { entryPoints, type EntryPoint } from '../support/entry-points';
import { createSignedInUser } from '../support/accounts';
import { startConsole, type RunningConsole } from '../support/console';
import { actionIds, actionResult, callAction } from '../support/server-actions';
import { followToEnd, readSse } from '../support/sse-client';

// After a full deploy, a failed deploy and every settings change the console offers, no secret
// value of the project's .env appears in operation events, API answers, the console's own log
// output, any page an operator or viewer gets, or the audit trail an admin reads. The deployment
// uses an external database, as the wizard leaves it: three URLs carrying a generated password
// (URL-encoded), plus secrets under names the key catalogue does not know (SMTP_PASS, DB_PASS, a
// cache URL with a password). The secrets: the keys server/project/secrets.ts generates, those
// values, and each password inside a URL, raw and decoded.

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
const password = () => randomBytes(18).toString('base64'); // + / = : differs once URL-encoded
const EXTERNAL_DB_PASSWORD = password();
const CACHE_PASSWORD = password();
const HOOK_PASSWORD = password();
const DB_BASE_URL = `postgresql://tale_svc:${encodeURIComponent(EXTERNAL_DB_PASSWORD)}@pg.external.example:5432`;
const EXTERNAL_ENV = {
  POSTGRES_URL: DB_BASE_URL,
  RAG_DATABASE_URL: `${DB_BASE_URL}/tale_knowledge`,
  CRAWLER_DATABASE_URL: `${DB_BASE_URL}/tale_knowledge`,
  SMTP_PASS: randomBytes(12).toString('hex'),
  DB_PASS: randomBytes(12).toString('hex'),
  CACHE_URL: `redis://:${encodeURIComponent(CACHE_PASSWORD)}@cache.external.example:6379/0`,
};
/** Written through the settings form below: a changed unknown secret and a new URL with a password. */
const SAVED_ENV = { SMTP_PASS: randomBytes(12).toString('hex'), WEBHOOK_URL: `https://hook:${encodeURIComponent(HOOK_PASSWORD)}@hooks.example/in` };

const SETTINGS_CHANGES: { action: string; args: unknown[] }[] = [
  { action: 'app/(console)/settings/actions.ts#saveEnvAction', args: ['local', { edits: { DRAIN_TIMEOUT: '3', ...SAVED_ENV } }] },
  { action: 'app/(console)/settings/actions.ts#saveDomainAction', args: ['local', { HOST: 'localhost', SITE_URL: 'https://localhost', TLS_MODE: 'external', BASE_PATH: '/tale' }] },
  { action: 'app/(console)/settings/actions.ts#savePinAction', args: ['local', { service: 'rag', image: 'registry.example:5000/tale-rag:1.0.0' }] },
];
/** Last on purpose: from here on the (unenrolled) admin may only enrol, so the admin's reads come before it. */
const LAST_CHANGE = { action: 'app/(console)/users/actions.ts#setAdminTotpRequiredAction', args: [{ required: true }] };

beforeAll(async () => {
  ({ registry, deployment } = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION, NEVER_HEALTHY_VERSION]), {
    prefix: 'leak-scan',
    extraEnv: { HEALTH_CHECK_TIMEOUT: '90', DRAIN_TIMEOUT: '2', ...EXTERNAL_ENV },
  }));
  app = await startConsole({ deployDir: deployment.dir });
  for (const role of ['operator', 'viewer'] as const) {
    cookies[role] = (await createSignedInUser(app.baseURL, app.cookie, { name: role, email: `${role}@example.com`, role, password: `${role}-password-123` })).cookie;
  }
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await deployment?.dispose();
  await registry?.stop();
});

async function scanGet(role: string, cookie: string, url: string): Promise<void> {
  const res = await fetch(`${app.baseURL}${url}`, { headers: { Cookie: cookie }, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  seen.push({ where: `${role} GET ${url} (${res.status})`, text: await res.text() });
}

async function deploy(version: string): Promise<OperationDto> {
  const res = await fetch(`${app.baseURL}/api/v1/deployments`, {
    method: 'POST',
    headers: { Cookie: cookies.operator, 'Content-Type': 'application/json', Origin: app.baseURL },
    // Upgrades here are not about the backup gate (backup-gate.integration.test.ts): skipped with a reason.
    body: JSON.stringify({ version, skipBackup: { reason: 'the backup gate has its own test' } }),
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

it('settings change, and what an admin then reads', async () => {
  const ids = actionIds();
  const change = async ({ action, args }: { action: string; args: unknown[] }) => {
    const answer = await callAction(app.baseURL, ids.get(action)!, args, app.cookie);
    seen.push({ where: action, text: answer });
    expect(actionResult(answer)?.ok, answer).toBe(true);
  };
  for (const c of SETTINGS_CHANGES) await change(c);
  // The audit trail holds every settings change: only its redaction stands between it and the values.
  for (const url of ['/audit', '/settings', '/api/v1/audit', '/api/v1/audit?format=csv']) await scanGet('admin', app.cookie, url);
  await change(LAST_CHANGE);
});

it('no secret of .env appears in events, API answers, server logs, pages or the audit trail', async () => {
  const generated = Object.keys(SECRET_GENERATORS).map((k) => [k, deployment.env[k]!] as const);
  expect(generated.every(([, v]) => v && v.length >= 16)).toBe(true);
  const secrets: (readonly [string, string])[] = [
    ...generated,
    ...Object.entries(EXTERNAL_ENV).map(([k, v]) => [k, v] as const),
    ['SMTP_PASS (saved)', SAVED_ENV.SMTP_PASS],
    ['WEBHOOK_URL (saved)', SAVED_ENV.WEBHOOK_URL],
    ['the external database password', EXTERNAL_DB_PASSWORD],
    ['the cache password', CACHE_PASSWORD],
    ['the webhook password', HOOK_PASSWORD],
  ];

  const pages = entryPoints().filter((ep): ep is Extract<EntryPoint, { kind: 'page' }> => ep.kind === 'page');
  const routes = entryPoints().filter((ep): ep is Extract<EntryPoint, { kind: 'route' }> => ep.kind === 'route' && ep.methods.includes('GET') && !ep.url.startsWith('/api/auth/'));
  for (const role of ['operator', 'viewer'] as const) {
    const urls = [
      ...pages.flatMap((p) => (p.url.includes('sample') ? operations.map((id) => p.url.replace('sample', id)) : [p.url])),
      ...routes.filter((r) => !r.url.includes('sample') && !r.url.endsWith('/stream')).map((r) => r.url),
      ...operations.flatMap((id) => [`/api/v1/operations?id=${id}`, `/api/v1/operations/${id}`]),
      '/api/logs/download?service=all&tail=2000&follow=0',
    ];
    for (const url of urls) await scanGet(role, cookies[role], url);
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
    // As written, and as JSON or a URL would escape it (a password inside a URL is written encoded in .env).
    const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
    for (const s of seen) if ([...forms].some((f) => s.text.includes(f))) leaks.push(`${key} in ${s.where}`);
  }
  expect(leaks).toEqual([]);
}, 300_000);
