import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredAccess, declaredMethodAccess, entryPoints, OPEN_PAGES, OPEN_ROUTES, type Access, type EntryPoint } from '../support/entry-points';
import { createSignedInUser } from '../support/accounts';
import { signIn, startConsole, type RunningConsole } from '../support/console';
import { actionIds, actionResult, callAction } from '../support/server-actions';

// The authorisation matrix: every page, route handler and server action in the source tree ×
// {anonymous, viewer, operator, admin}. Each entry point's required role is read from the code
// that enforces it, so a new entry point joins the matrix without editing this test.

const OPEN = new Set([...[...OPEN_PAGES].map((u) => `page ${u}`), ...[...OPEN_ROUTES].map((u) => `route ${u}`)]);
const RANK = { anonymous: -1, viewer: 0, operator: 1, admin: 2 } as const;
type Caller = keyof typeof RANK;

let app: RunningConsole;
const cookies: Partial<Record<Caller, string>> = {};

beforeAll(async () => {
  app = await startConsole();
  cookies.admin = app.cookie;
  for (const role of ['viewer', 'operator'] as const) {
    cookies[role] = (await createSignedInUser(app.baseURL, app.cookie, { name: role, email: `${role}@example.com`, role, password: `${role}-password-123` })).cookie;
  }
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

const label = (ep: EntryPoint) => (ep.kind === 'action' ? `action ${ep.file}#${ep.exportName}` : `${ep.kind} ${ep.url}`);
const all = entryPoints();

it('every entry point is either open on purpose or declares who may use it', () => {
  const undeclared = all.filter((ep) => declaredAccess(ep) === null && !OPEN.has(label(ep))).map(label);
  expect(undeclared).toEqual([]);
  expect(all.filter((ep) => OPEN.has(label(ep))).map(label).sort()).toEqual([...OPEN].sort());
});

async function outcome(ep: EntryPoint, caller: Caller, only?: string): Promise<'allow' | 'deny-anonymous' | 'deny-role'> {
  const cookie = cookies[caller];
  const headers: Record<string, string> = cookie ? { Cookie: cookie } : {};
  if (ep.kind === 'page') {
    const res = await fetch(`${app.baseURL}${ep.url}`, { redirect: 'manual', headers });
    // 404: through the gate, but the sample id names nothing.
    if (res.status === 200 || res.status === 404) return 'allow';
    const location = res.headers.get('location') ?? '';
    if ([302, 303, 307, 308].includes(res.status) && /\/login$/.test(location)) return 'deny-anonymous';
    if ([302, 303, 307, 308].includes(res.status) && /^(https?:\/\/[^/]+)?\/$/.test(location)) return 'deny-role';
    throw new Error(`${label(ep)} as ${caller}: unexpected ${res.status} ${location}`);
  }
  if (ep.kind === 'route') {
    const statuses = await Promise.all(
      ep.methods.filter((m) => only === undefined || m === only).map(async (method) => {
        // Unsafe methods come from the console's own origin (else 403 BAD_ORIGIN) and carry a body
        // no route accepts, so an allowed caller is stopped by validation and nothing starts.
        const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
        const res = await fetch(`${app.baseURL}${ep.url}`, {
          method,
          redirect: 'manual',
          headers: unsafe ? { ...headers, Origin: app.baseURL, 'Content-Type': 'application/json' } : headers,
          body: unsafe ? JSON.stringify({ matrixProbe: true }) : undefined,
          signal: AbortSignal.timeout(15_000),
        });
        await res.body?.cancel();
        return res.status;
      }),
    );
    if (statuses.every((s) => s === 401)) return 'deny-anonymous';
    if (statuses.every((s) => s === 403)) return 'deny-role';
    if (statuses.every((s) => s !== 401 && s !== 403 && s < 500)) return 'allow';
    throw new Error(`${label(ep)} as ${caller}: mixed or failed statuses ${statuses.join(',')}`);
  }
  const id = actionIds().get(`${ep.file}#${ep.exportName}`);
  if (!id) throw new Error(`${label(ep)} is missing from the build's action manifest`);
  // An argument no action accepts: an allowed caller gets past the role check and is stopped by
  // validation, so the matrix changes nothing. An action bound to its page's environment gets the
  // local one first: otherwise the probe would be read as the environment and refused as unknown
  // (ENVIRONMENT_NOT_FOUND) before the role is checked, which the matrix would count as allowed.
  const body = await callAction(app.baseURL, id, ep.takesEnvironment ? ['local', { matrixProbe: true }] : [{ matrixProbe: true }], cookie);
  if (body.includes('UNAUTHENTICATED')) return 'deny-anonymous';
  if (body.includes('FORBIDDEN')) return 'deny-role';
  return 'allow';
}

function expected(access: Access, caller: Caller): ReturnType<typeof outcome> extends Promise<infer T> ? T : never {
  if (access === 'setup-token') return 'allow'; // guarded by the token instead; see e2e/browser/access.spec.ts
  if (caller === 'anonymous') return 'deny-anonymous';
  return RANK[caller] >= RANK[access as 'viewer' | 'operator' | 'admin'] ? 'allow' : 'deny-role';
}

describe('authorisation matrix', () => {
  for (const ep of all.filter((e) => !OPEN.has(label(e)))) {
    // A route's methods may demand different roles (read for operators, write for admins): each is its own case.
    const cases = ep.kind === 'route' ? ep.methods.map((m) => ({ method: m, access: declaredMethodAccess(ep, m) })) : [{ method: undefined, access: declaredAccess(ep) }];
    for (const { method, access } of cases) {
      for (const caller of Object.keys(RANK) as Caller[]) {
        it(`${label(ep)}${method ? ` ${method}` : ''} (needs ${access}) as ${caller} → ${expected(access, caller)}`, async () => {
          expect(await outcome(ep, caller, method)).toBe(expected(access, caller));
        });
      }
    }
  }
});

describe('settings that choose what runs are an admin’s', () => {
  // Every container gets the whole .env: the registry, pins, service URLs and database hosts decide
  // which code receives every secret. Reading them (and asking DNS about HOST) is all an operator does.
  const READS = new Set(['resolveHostAction']);
  const settingsActions = all.filter((ep) => ep.kind === 'action' && ep.file.startsWith('app/(console)/settings/'));

  it('every action under settings that writes or applies .env or compose.override.yml needs an admin', () => {
    const writes = settingsActions.filter((ep) => ep.kind === 'action' && !READS.has(ep.exportName));
    for (const name of ['saveEnvAction', 'saveDomainAction', 'savePinAction', 'restoreVersionAction', 'applyNowAction', 'initialiseAction', 'configureAction', 'useBundledAction']) {
      expect(writes.map((ep) => ep.kind === 'action' && ep.exportName)).toContain(name);
    }
    expect(writes.filter((ep) => declaredAccess(ep) !== 'admin').map(label)).toEqual([]);
  });
});

describe('server actions need the console’s own Origin', () => {
  const createUser = () => actionIds().get('app/(console)/users/actions.ts#createUserAction')!;
  const user = (email: string) => ({ name: 'Origin Probe', email, role: 'viewer', password: 'origin-probe-password-1' });

  it('without Origin or from another origin: 403 and no user created; from the console’s origin it runs', async () => {
    for (const [email, origin] of [
      ['no-origin@example.com', null],
      ['foreign-origin@example.com', 'https://evil.example'],
      ['null-origin@example.com', 'null'],
    ] as const) {
      const answer = await callAction(app.baseURL, createUser(), [user(email)], app.cookie, { origin });
      expect(answer.split('\n')[0], `${origin}: ${answer}`).toBe('403');
      expect(actionResult(answer), String(origin)).toBeNull();
      expect(await signIn(app.baseURL, email, 'origin-probe-password-1'), `${email} must not exist`).toBeNull();
    }
    const allowed = await callAction(app.baseURL, createUser(), [user('own-origin@example.com')], app.cookie);
    expect(actionResult(allowed)?.ok, allowed).toBe(true);
    expect(await signIn(app.baseURL, 'own-origin@example.com', 'origin-probe-password-1')).toBeTruthy();
  });

  it('covers actions that need no session and forms posted without JavaScript', async () => {
    const setup = actionIds().get('app/(auth)/setup/actions.ts#setupAction')!;
    const setupArgs = [{ token: 'not-the-token', name: 'x', email: 'x@example.com', password: 'p'.repeat(12), confirm: 'p'.repeat(12) }];
    const refused = await callAction(app.baseURL, setup, setupArgs, undefined, { origin: null });
    expect(refused.split('\n')[0], refused).toBe('403');
    expect(actionResult(refused)).toBeNull();
    // With the right Origin the action itself answers (and refuses: setup is done).
    expect(actionResult(await callAction(app.baseURL, setup, setupArgs))).not.toBeNull();

    // Next also runs an action from a plain multipart form post (no Next-Action header).
    const form = new FormData();
    form.set(`$ACTION_ID_${createUser()}`, '');
    const res = await fetch(`${app.baseURL}/users`, { method: 'POST', body: form, redirect: 'manual', headers: { Cookie: app.cookie } });
    expect(res.status).toBe(403);
    await res.body?.cancel();
  });
});
