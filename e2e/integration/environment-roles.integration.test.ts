import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserEnvironmentRolesDto } from '@/lib/dto/environment-roles';
import { createSignedInUser, createToken } from '../support/accounts';
import { auditEvents } from '../support/audit';
import { signIn, startConsole, type RunningConsole } from '../support/console';
import { runAction } from '../support/server-actions';

// Roles per environment against the real console ('local' is an environment too, so no remote
// host is needed): a grant replaces a viewer's or operator's console-wide role in one environment,
// for the pages, the server actions, the API and the user's API tokens alike; removing it restores
// the console-wide role; an unknown environment and an admin are refused.

let app: RunningConsole;
const USERS_FILE = 'app/(console)/users/actions.ts';
const USERS = `${USERS_FILE}#setEnvironmentRoleAction`;
const DEPLOY = 'app/(console)/deployments/actions.ts#deployAction';
/** A deploy request no version matches: a caller who gets past the role check is stopped by validation, so nothing starts. */
const NOT_A_DEPLOY = { version: '', all: 'nope' };

beforeAll(async () => {
  app = await startConsole();
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

let n = 0;
async function newUser(role: 'admin' | 'operator' | 'viewer') {
  const email = `t6rl-${++n}-${role}@example.com`;
  const password = `password-of-${email}`;
  return { email, password, ...(await createSignedInUser(app.baseURL, app.cookie, { name: `User ${n}`, email, role, password })) };
}

const grant = (userId: string, environmentId: string, role: 'viewer' | 'operator' | null) => runAction<UserEnvironmentRolesDto>(app.baseURL, USERS, [{ userId, environmentId, role }], app.cookie);

/** POST /api/v1/deployments as a cookie (from the console's own origin) or a token: status and code. */
async function deployApi(auth: { cookie: string } | { token: string }): Promise<{ status: number; code: string }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if ('cookie' in auth) Object.assign(headers, { Cookie: auth.cookie, Origin: app.baseURL });
  else headers.Authorization = `Bearer ${auth.token}`;
  const res = await fetch(`${app.baseURL}/api/v1/deployments?env=local`, { method: 'POST', headers, body: JSON.stringify(NOT_A_DEPLOY) });
  return { status: res.status, code: ((await res.json()) as { code: string }).code };
}

const deployActionCode = async (cookie: string) => {
  const answer = await runAction(app.baseURL, DEPLOY, ['local', NOT_A_DEPLOY], cookie);
  return answer?.ok ? 'OK' : answer?.code;
};

/** The overview page as the cookie's user: 200 when they may see it, else a redirect. */
async function overview(cookie: string): Promise<number> {
  const res = await fetch(`${app.baseURL}/?env=local`, { headers: { Cookie: cookie }, redirect: 'manual' });
  await res.body?.cancel();
  return res.status;
}

describe('roles per environment', () => {
  it('a console-wide operator with a viewer grant on local is refused deploys there (pages, action, API, token) and sees the overview; removing the grant restores operator', async () => {
    // Only admins make tokens: this operator made theirs while admin and was then made operator, so
    // the token acts as an operator (its own role), and with the grant as a viewer.
    const made = await newUser('admin');
    const token = await createToken(app.baseURL, made.cookie, { name: 't6rl ci', role: 'operator', expiresInDays: 7 });
    expect(await runAction(app.baseURL, `${USERS_FILE}#changeRoleAction`, [{ id: made.id, role: 'operator' }], app.cookie)).toMatchObject({ ok: true });
    const op = { ...made, cookie: (await signIn(app.baseURL, made.email, made.password))! };
    // Before: an operator gets past the role check and is stopped by validation.
    expect(await deployApi(op)).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(await deployApi(token)).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(await deployActionCode(op.cookie)).toBe('INVALID_INPUT');

    const set = await grant(op.id, 'local', 'viewer');
    expect(set).toMatchObject({ ok: true, data: { userId: op.id, role: 'operator', environments: [{ environmentId: 'local', grant: 'viewer', effective: 'viewer' }] } });
    expect(await deployApi(op)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await deployApi(token)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await deployActionCode(op.cookie)).toBe('FORBIDDEN');
    expect(await overview(op.cookie)).toBe(200);
    const me = await fetch(`${app.baseURL}/api/v1/me?env=local`, { headers: { Authorization: `Bearer ${token.token}` } });
    expect(await me.json()).toMatchObject({ id: op.id, role: 'viewer' });

    expect(await grant(op.id, 'local', null)).toMatchObject({ ok: true, data: { environments: [{ grant: null, effective: 'operator' }] } });
    expect(await deployApi(op)).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(await deployApi(token)).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(await deployActionCode(op.cookie)).toBe('INVALID_INPUT');

    const audit = await auditEvents(app.baseURL, app.cookie, 'user.environment_role');
    const mine = audit.filter((e) => e.target === op.id);
    expect(mine.map((e) => [e.outcome, JSON.parse(e.params!).role])).toEqual([
      ['success', null],
      ['success', 'viewer'],
    ]);
  });

  it('a console-wide viewer with an operator grant on local gets past the role check; removing it refuses again', async () => {
    const viewer = await newUser('viewer');
    expect(await deployApi(viewer)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await deployActionCode(viewer.cookie)).toBe('FORBIDDEN');

    expect(await grant(viewer.id, 'local', 'operator')).toMatchObject({ ok: true });
    expect(await deployApi(viewer)).toEqual({ status: 400, code: 'INVALID_INPUT' });
    expect(await deployActionCode(viewer.cookie)).toBe('INVALID_INPUT');
    expect(await overview(viewer.cookie)).toBe(200);

    // The API shows the same as the users page; an admin-only read, whatever the environment.
    const get = await fetch(`${app.baseURL}/api/v1/users/${viewer.id}/environment-roles`, { headers: { Cookie: app.cookie } });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ userId: viewer.id, role: 'viewer', environments: [{ environmentId: 'local', environmentName: 'Local', grant: 'operator', effective: 'operator' }] });
    const refused = await fetch(`${app.baseURL}/api/v1/users/${viewer.id}/environment-roles`, { headers: { Cookie: viewer.cookie } });
    expect(refused.status).toBe(403);

    // Removed through the API this time.
    const put = await fetch(`${app.baseURL}/api/v1/users/${viewer.id}/environment-roles`, {
      method: 'PUT',
      headers: { Cookie: app.cookie, Origin: app.baseURL, 'Content-Type': 'application/json' },
      body: JSON.stringify({ environmentId: 'local', role: null }),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as UserEnvironmentRolesDto).environments[0]).toMatchObject({ grant: null, effective: 'viewer' });
    expect(await deployApi(viewer)).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(await deployActionCode(viewer.cookie)).toBe('FORBIDDEN');
  });

  it('refuses a grant for an unknown environment, for an admin, and a role that cannot be granted', async () => {
    const viewer = await newUser('viewer');
    expect(await grant(viewer.id, 'no-such-env', 'operator')).toMatchObject({ ok: false, code: 'ENVIRONMENT_NOT_FOUND' });
    const me = (await (await fetch(`${app.baseURL}/api/v1/me`, { headers: { Cookie: app.cookie } })).json()) as { id: string };
    expect(await grant(me.id, 'local', 'viewer')).toMatchObject({ ok: false, code: 'ROLE_ADMIN_GLOBAL' });
    const put = (body: unknown) =>
      fetch(`${app.baseURL}/api/v1/users/${viewer.id}/environment-roles`, {
        method: 'PUT',
        headers: { Cookie: app.cookie, Origin: app.baseURL, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, code: ((await r.json()) as { code: string }).code }));
    expect(await put({ environmentId: 'no-such-env', role: 'operator' })).toEqual({ status: 404, code: 'ENVIRONMENT_NOT_FOUND' });
    expect(await put({ environmentId: 'local', role: 'admin' })).toEqual({ status: 400, code: 'INVALID_INPUT' });
    // Nothing was granted: the viewer is still refused.
    expect(await deployApi(viewer)).toEqual({ status: 403, code: 'FORBIDDEN' });
    const failures = (await auditEvents(app.baseURL, app.cookie, 'user.environment_role')).filter((e) => e.outcome === 'failure');
    expect(failures.length).toBeGreaterThanOrEqual(3);
  });
});
