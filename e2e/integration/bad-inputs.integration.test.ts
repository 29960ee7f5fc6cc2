import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDeployment, listProjectResources, type Deployment, type ProjectResources } from '../fixtures/deployment';
import { BAD_BODIES, BAD_INPUTS, PROTOTYPE_KEYS } from '../support/bad-inputs';
import { entryPoints, type EntryPoint } from '../support/entry-points';
import { signInAttempt, startConsole, TEST_ADMIN, type RunningConsole } from '../support/console';
import { actionIds, actionResult, asReply, callAction } from '../support/server-actions';
import { projectRoot } from '../support/paths';

// The bad-input corpus against every input of every server action and API endpoint the source
// tree has (found like the authorisation matrix, so new ones join by themselves), signed in as
// admin so the role check is not what refuses. Every payload must be refused with a 4xx or an
// action's `{ ok: false }` and a message, no stack trace may come back, no file of the deployment
// directory may change, and no container may appear.

let deployment: Deployment;
let app: RunningConsole;
let filesBefore: Map<string, string>;
let containersBefore: ProjectResources;

const STACK_TRACE = /\n\s+at\s+\S+\s+\(|\bat\s+(?:async\s+)?[\w.$<>]+\s+\([^)]*:\d+:\d+\)|node_modules\/|\.(?:js|ts):\d+:\d+/;

function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/** Runs `fn` over `items` a few at a time: the console answers thousands of requests here. */
async function pool<T>(items: readonly T[], fn: (item: T) => Promise<void>, width = 6): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** Field names the console's schemas use, from lib/schemas: the candidates probed for each input. */
function candidateKeys(): string[] {
  const dir = path.join(projectRoot, 'lib', 'schemas');
  const keys = new Set<string>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const block of src.matchAll(/[oO]bject\(\{([\s\S]*?)\}\)/g)) {
      for (const m of block[1]!.matchAll(/(?:^|[{,]\s*|\n\s*)([a-z][A-Za-z0-9]*)\s*(?=[:,}]|$)/g)) keys.add(m[1]!);
    }
  }
  return [...keys];
}

beforeAll(async () => {
  deployment = await createDeployment({ prefix: 'bad-inputs' });
  app = await startConsole({ deployDir: deployment.dir });
  filesBefore = hashTree(deployment.dir);
  containersBefore = await listProjectResources(deployment.id);
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await deployment?.dispose();
});

const problems: string[] = [];

const fieldErrorsOf = (text: string): Record<string, unknown> => {
  try {
    return (JSON.parse(text) as { fieldErrors?: Record<string, unknown> }).fieldErrors ?? {};
  } catch {
    return {};
  }
};
/** Every byte percent-encoded: works for lone surrogates too, which encodeURIComponent refuses. */
const pathSegment = (v: string) => [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const describeValue = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

function checkAnswer(where: string, status: number, body: string) {
  if (STACK_TRACE.test(body)) problems.push(`${where}: stack trace in the answer`);
  if (status >= 500) problems.push(`${where}: HTTP ${status}`);
}

function checkRefusedAction(where: string, answer: string) {
  const status = Number(answer.slice(0, answer.indexOf('\n')));
  checkAnswer(where, status, answer);
  const result = actionResult(answer);
  if (result === null) {
    if (status < 400 || status >= 500) problems.push(`${where}: neither a result nor a 4xx (HTTP ${status})`);
    return;
  }
  if (result.ok) problems.push(`${where}: accepted`);
  else if (!result.message) problems.push(`${where}: refused without a message`);
}

type ActionCall = (arg: unknown) => Promise<string>;

/** A field error for `k` itself or inside it (`edits.probe`: a field whose value is keyed). */
const namesField = (errors: Record<string, unknown> | undefined, k: string) =>
  Object.keys(errors ?? {}).some((name) => name === k || name.startsWith(`${k}.`));

/**
 * Every server action that takes an input (one without parameters, or with only the environment its
 * page binds, has none to attack, and calling it would just run it). An action bound to its
 * environment gets the local one first, so the hostile value reaches its input's validation.
 */
function actionsWithInput(): { id: string; label: string; call: ActionCall }[] {
  const ids = actionIds();
  return entryPoints()
    .filter((ep): ep is Extract<EntryPoint, { kind: 'action' }> => ep.kind === 'action')
    .filter((ep) => {
      const source = fs.readFileSync(path.join(projectRoot, ep.file), 'utf8');
      return !new RegExp(`export\\s+async\\s+function\\s+${ep.exportName}\\s*\\(\\s*(?:env\\s*:\\s*unknown\\s*)?\\)`).test(source);
    })
    .map((ep) => {
      const id = ids.get(`${ep.file}#${ep.exportName}`)!;
      return { id, label: `${ep.file}#${ep.exportName}`, call: (arg: unknown) => callAction(app.baseURL, id, ep.takesEnvironment ? ['local', asReply(arg)] : [asReply(arg)], app.cookie) };
    });
}

/**
 * The fields an action reads: a value no field accepts, under each candidate name, draws a field
 * error naming it; a strict schema refuses unknown names without naming them.
 */
async function actionFields(call: ActionCall, keys: readonly string[]): Promise<string[]> {
  const fields: string[] = [];
  await pool(keys, async (k) => {
    const result = actionResult(await call({ [k]: { probe: [] } }));
    if (result && !result.ok && namesField(result.fieldErrors, k)) fields.push(k);
  });
  return fields;
}

async function send(url: string, method: string, body?: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${app.baseURL}${url}`, {
    method,
    redirect: 'manual',
    headers: { Cookie: app.cookie, Origin: app.baseURL, ...(body !== undefined ? { 'Content-Type': contentType } : {}) },
    body,
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, text };
}

/** The fields a JSON endpoint reads, found like an action's. */
async function bodyFields(url: string, method: string, keys: readonly string[]): Promise<string[]> {
  const fields: string[] = [];
  await pool(keys, async (k) => {
    const r = await send(url, method, JSON.stringify({ [k]: { probe: [] } }));
    if (namesField(fieldErrorsOf(r.text), k)) fields.push(k);
  });
  return fields;
}

function expectRefused(where: string, r: { status: number; text: string }) {
  checkAnswer(where, r.status, r.text);
  if (r.status < 400 || r.status >= 500) problems.push(`${where}: HTTP ${r.status}, not a 4xx`);
}

it('the corpus holds at least 200 payloads across every category', () => {
  expect(BAD_INPUTS.length + BAD_BODIES.length).toBeGreaterThanOrEqual(200);
  expect(new Set(BAD_INPUTS.map((b) => b.category))).toEqual(new Set(['command', 'traversal', 'sql', 'yaml', 'caddy', 'dotenv', 'unicode', 'markup', 'json', 'nearMiss']));
});

it('every server action refuses every payload in every field it has', async () => {
  problems.length = 0;
  const keys = candidateKeys();
  const actions = actionsWithInput();
  let calls = 0;
  for (const { id, label, call } of actions) {
    const fields = await actionFields(call, keys);
    const cases = BAD_INPUTS.flatMap((b) => [
      { where: `${label}(${describeValue(b.value)})`, arg: b.value },
      ...fields.map((f) => ({ where: `${label}({${f}: ${describeValue(b.value)}})`, arg: { [f]: b.value } })),
    ]);
    await pool(cases, async (c) => checkRefusedAction(c.where, await call(c.arg)));
    calls += cases.length;
    // A body far over the limit is refused before it is parsed.
    const big = await callAction(app.baseURL, id, [{ pad: 'x'.repeat(3 * 1024 * 1024) }], app.cookie);
    checkAnswer(`${label}(3 MiB)`, Number(big.slice(0, 3)), big);
  }
  console.log(`[bad-inputs] ${calls} action calls across ${actions.length} actions`);
  expect(problems).toEqual([]);
}, 900_000);

it('every API endpoint refuses every payload in its body, path and query', async () => {
  problems.length = 0;
  const routes = entryPoints().filter((ep): ep is Extract<EntryPoint, { kind: 'route' }> => ep.kind === 'route');
  const keys = candidateKeys();
  let requests = 0;
  for (const ep of routes) {
    const dynamic = ep.file.includes('[');
    for (const method of ep.methods) {
      if (method === 'GET' || method === 'HEAD') {
        // A hostile value where the path holds an id.
        if (dynamic && !ep.url.startsWith('/api/auth/')) {
          // '.' and '..' (even as %2e) are dot segments: URL parsing resolves them before any
          // server sees the path, so they address the parent route, never this id.
          const strings = BAD_INPUTS.filter((b) => typeof b.value === 'string' && !['', '.', '..'].includes(b.value));
          await pool(strings, async (b) => expectRefused(`${method} ${ep.url} [id=${describeValue(b.value)}]`, await send(ep.url.replace('sample', pathSegment(b.value as string)), method)));
          requests += strings.length;
        }
        // Query parameters: only a handler that validates its query strictly reads it at all, and
        // the names it reads draw a field error for a NUL byte (or pass it, as free text).
        const probe = await send(`${ep.url}?probe=1`, method);
        if (probe.status !== 400) continue;
        const read: string[] = [];
        await pool(keys, async (k) => {
          const r = await send(`${ep.url}?${new URLSearchParams({ [k]: '\u0000' })}`, method);
          const named = r.status === 400 && Boolean(fieldErrorsOf(r.text)[k]);
          if (named || r.status === 200) read.push(k);
        });
        const strings = BAD_INPUTS.filter((b) => typeof b.value === 'string');
        const cases = read.flatMap((k) => strings.map((b) => ({ k, v: b.value as string })));
        await pool(cases, async ({ k, v }) => {
          const r = await send(`${ep.url}?${new URLSearchParams({ [k]: v })}`, method);
          // A free-text filter (such as the audit trail's actor) matches the text and finds nothing.
          if (r.status === 200) checkAnswer(`${method} ${ep.url}?${k}=${describeValue(v)}`, r.status, r.text);
          else expectRefused(`${method} ${ep.url}?${k}=${describeValue(v)}`, r);
        });
        requests += cases.length + 1;
        continue;
      }
      if (ep.url.startsWith('/api/auth/')) continue; // next-auth's own endpoints: the sign-in test below
      const fields = await bodyFields(ep.url, method, keys);
      const cases = [
        ...BAD_BODIES.map((b) => ({ where: `${method} ${ep.url} ${b.category} body`, body: b.body, type: b.contentType })),
        ...BAD_INPUTS.map((b) => ({ where: `${method} ${ep.url} ${describeValue(b.value)}`, body: JSON.stringify(b.value) ?? 'undefined', type: undefined })),
        ...fields.flatMap((f) => BAD_INPUTS.map((b) => ({ where: `${method} ${ep.url} {${f}: ${describeValue(b.value)}}`, body: JSON.stringify({ [f]: b.value }), type: undefined }))),
      ];
      await pool(cases, async (c) => expectRefused(c.where, await send(ep.url, method, c.body, c.type)));
      requests += cases.length;
    }
  }
  console.log(`[bad-inputs] ${requests} API requests across ${routes.length} route handlers`);
  expect(problems).toEqual([]);
}, 900_000);

it('the sign-in endpoint refuses every payload as email or code without a session', async () => {
  problems.length = 0;
  const strings = BAD_INPUTS.filter((b) => typeof b.value === 'string').map((b) => b.value as string);
  await pool(strings, async (v) => {
    // An empty code is no code: the admin has no second factor, so the right password alone is enough.
    const attempts: Record<string, string>[] = [{ email: v, password: 'whatever-password' }, ...(v ? [{ email: TEST_ADMIN.email, password: TEST_ADMIN.password, totp: v }] : [])];
    for (const fields of attempts) {
      const r = await signInAttempt(app.baseURL, fields);
      if (r.cookie) problems.push(`sign-in with ${describeValue(fields)}: signed in`);
    }
  });
  expect(problems).toEqual([]);
}, 900_000);

it('keys named after Object.prototype members are refused (a 400 with a field error from the API), never a 500', async () => {
  problems.length = 0;
  const keys = candidateKeys();
  let calls = 0;
  for (const { label, call } of actionsWithInput()) {
    const fields = await actionFields(call, keys);
    // React's reply decoder drops a `__proto__` key, so each object also carries a key no schema
    // accepts (`probe-x` is not even a valid .env name): the payload never becomes valid by losing one.
    const cases = PROTOTYPE_KEYS.flatMap((p) => [
      { where: `${label}({${p}})`, arg: { [p]: 'x', 'probe-x': 'x' } },
      ...fields.flatMap((f) => [
        { where: `${label}({${f}: "${p}"})`, arg: { [f]: p } },
        { where: `${label}({${f}: {${p}: "x"}})`, arg: { [f]: { [p]: 'x' } } },
        { where: `${label}({${f}: {${p}: null}})`, arg: { [f]: { [p]: null, 'probe-x': null } } },
      ]),
    ]);
    await pool(cases, async (c) => checkRefusedAction(c.where, await call(c.arg)));
    calls += cases.length;
  }

  const routes = entryPoints().filter((ep): ep is Extract<EntryPoint, { kind: 'route' }> => ep.kind === 'route' && !ep.url.startsWith('/api/auth/'));
  const expect400 = (where: string, r: { status: number; text: string }) => {
    checkAnswer(where, r.status, r.text);
    if (r.status !== 400) problems.push(`${where}: HTTP ${r.status}, not 400`);
    else if (!Object.keys(fieldErrorsOf(r.text)).length) problems.push(`${where}: 400 without a field error`);
  };
  let requests = 0;
  for (const ep of routes) {
    for (const method of ep.methods) {
      if (ep.file.includes('[')) {
        await pool(PROTOTYPE_KEYS, async (p) => expectRefused(`${method} ${ep.url} [id=${p}]`, await send(ep.url.replace('sample', p), method)));
        requests += PROTOTYPE_KEYS.length;
      }
      if (method === 'GET' || method === 'HEAD') {
        // Only a handler that validates its query strictly reads it at all.
        if ((await send(`${ep.url}?probe=1`, method)).status !== 400) continue;
        // Next's own query parsing drops `__proto__` (it assigns it to a plain object) before any handler sees it.
        const named = PROTOTYPE_KEYS.filter((p) => p !== '__proto__');
        await pool(named, async (p) => expect400(`${method} ${ep.url}?${p}=x`, await send(`${ep.url}?${new URLSearchParams({ [p]: 'x' })}`, method)));
        requests += named.length;
        continue;
      }
      const fields = await bodyFields(ep.url, method, keys);
      const cases = PROTOTYPE_KEYS.flatMap((p) => [
        { where: `${method} ${ep.url} {${p}}`, body: { [p]: 'x' }, exact: true },
        ...fields.flatMap((f) => [
          // As a value it may be refused later than the schema (a project id that is not this one).
          { where: `${method} ${ep.url} {${f}: "${p}"}`, body: { [f]: p }, exact: false },
          { where: `${method} ${ep.url} {${f}: {${p}: "x"}}`, body: { [f]: { [p]: 'x' } }, exact: true },
        ]),
      ]);
      await pool(cases, async (c) => {
        const r = await send(ep.url, method, JSON.stringify(c.body));
        if (c.exact) expect400(c.where, r);
        else expectRefused(c.where, r);
      });
      requests += cases.length;
    }
  }
  console.log(`[bad-inputs] prototype-named keys: ${calls} action calls, ${requests} API requests`);
  expect(problems).toEqual([]);
}, 900_000);

it('changed no file of the deployment directory and created no container', async () => {
  expect(hashTree(deployment.dir)).toEqual(filesBefore);
  expect(await listProjectResources(deployment.id)).toEqual(containersBefore);
  expect((await fetch(`${app.baseURL}/api/health/live`)).status).toBe(200);
});
