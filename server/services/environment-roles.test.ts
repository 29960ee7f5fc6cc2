import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryAudit } from '../db/audit-log';
import { writeKey } from '../environments/key-store';
import { insertEnvironment } from '../environments/store';
import { userInEnvironment } from '../auth/environment-role';
import { accountWorld, type AccountWorld } from '../test-support/account-runtime';
import { allEnvironmentRoles, setEnvironmentRole, userEnvironmentRoles } from './environment-roles';
import { removeEnvironment, shellEnvironments } from './environments';
import { changeRole, setDisabled } from './users';

// Grants per environment: admin only, validated, audited; admins and disabled or unknown users get
// none; an unknown environment is refused; removing an environment removes its grants.

let world: AccountWorld;
beforeEach(() => (world = accountWorld()));
afterEach(() => world.dispose());

function addStaging() {
  insertEnvironment(world.rt.db, {
    id: 'staging',
    name: 'staging',
    colour: 'amber',
    kind: 'ssh',
    sshUser: 'tale',
    sshHost: '127.0.0.1',
    sshPort: 22,
    deployDir: '/srv/staging',
    hostKeyAlgorithm: 'ssh-ed25519',
    hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43),
    production: false,
    createdAt: new Date(Date.UTC(2026, 0, 1)),
    createdBy: null,
  });
  return writeKey(world.rt.env.dataDir, 'staging', '-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n');
}

const lastAudit = () => queryAudit(world.rt.db, { action: 'user.environment_role', limit: 1 })[0];

describe('setEnvironmentRole', () => {
  it('grants, replaces and removes a role in one environment, audited, and the edge applies it', async () => {
    await addStaging();
    const admin = world.addUser('admin');
    const viewer = world.addUser('viewer');
    const as = world.callerOf(admin);

    const granted = await setEnvironmentRole(world.rt, as, { userId: viewer.id, environmentId: 'staging', role: 'operator' });
    expect(granted).toMatchObject({ ok: true });
    expect(granted.ok && granted.data.environments).toEqual([
      { environmentId: 'local', environmentName: 'Local', grant: null, effective: 'viewer' },
      { environmentId: 'staging', environmentName: 'staging', grant: 'operator', effective: 'operator' },
    ]);
    expect(userInEnvironment(world.rt.db, viewer, 'staging').role).toBe('operator');
    expect(userInEnvironment(world.rt.db, viewer, 'local').role).toBe('viewer');
    expect(lastAudit()).toMatchObject({ outcome: 'success', target: viewer.id, sourceIp: '203.0.113.7' });
    expect(JSON.parse(lastAudit()!.params!)).toMatchObject({ environmentId: 'staging', role: 'operator', previous: null });

    await setEnvironmentRole(world.rt, as, { userId: viewer.id, environmentId: 'staging', role: 'viewer' });
    expect(JSON.parse(lastAudit()!.params!)).toMatchObject({ role: 'viewer', previous: 'operator' });
    expect(userEnvironmentRoles(world.rt, as, viewer.id).environments[1]).toMatchObject({ grant: 'viewer', effective: 'viewer' });

    await setEnvironmentRole(world.rt, as, { userId: viewer.id, environmentId: 'staging', role: null });
    expect(userInEnvironment(world.rt.db, viewer, 'staging').role).toBe('viewer');
    expect(userEnvironmentRoles(world.rt, as, viewer.id).environments[1]).toMatchObject({ grant: null, effective: 'viewer' });
  });

  it('lowers an operator to viewer in one environment only', async () => {
    const admin = world.addUser('admin');
    const operator = world.addUser('operator');
    await setEnvironmentRole(world.rt, world.callerOf(admin), { userId: operator.id, environmentId: 'local', role: 'viewer' });
    expect(userInEnvironment(world.rt.db, operator, 'local').role).toBe('viewer');
    expect(userInEnvironment(world.rt.db, operator, 'elsewhere').role).toBe('operator');
    expect(allEnvironmentRoles(world.rt, world.callerOf(admin)).find((u) => u.userId === operator.id)?.environments).toEqual([
      { environmentId: 'local', environmentName: 'Local', grant: 'viewer', effective: 'viewer' },
    ]);
  });

  it('gives the shell the user’s effective role in every environment, for its role badge', async () => {
    await addStaging();
    const admin = world.callerOf(world.addUser('admin'));
    const operator = world.addUser('operator');
    const roles = () => shellEnvironments(world.rt, world.callerOf(operator)).map((e) => [e.id, e.role]);
    expect(roles()).toEqual([['local', 'operator'], ['staging', 'operator']]);
    expect(await setEnvironmentRole(world.rt, admin, { userId: operator.id, environmentId: 'staging', role: 'viewer' })).toMatchObject({ ok: true });
    expect(roles()).toEqual([['local', 'operator'], ['staging', 'viewer']]);
    // Nothing of the endpoint reaches the browser through it.
    expect(Object.keys(shellEnvironments(world.rt, admin)[1]!).sort()).toEqual(['colour', 'id', 'kind', 'name', 'production', 'role']);
    expect(shellEnvironments(world.rt, admin).map((e) => e.role)).toEqual(['admin', 'admin']);
  });

  it('is admin only', async () => {
    const operator = world.addUser('operator');
    const viewer = world.addUser('viewer');
    expect(await setEnvironmentRole(world.rt, world.callerOf(operator), { userId: viewer.id, environmentId: 'local', role: 'operator' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(() => userEnvironmentRoles(world.rt, world.callerOf(operator), viewer.id)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(userInEnvironment(world.rt.db, viewer, 'local').role).toBe('viewer');
  });

  it('refuses admins, disabled and unknown users, unknown environments and malformed input, each audited', async () => {
    const admin = world.addUser('admin');
    const other = world.addUser('admin');
    const viewer = world.addUser('viewer');
    const gone = world.addUser('viewer');
    const as = world.callerOf(admin);
    await setDisabled(world.rt, as, { id: gone.id, disabled: true });
    const cases: [unknown, string][] = [
      [{ userId: other.id, environmentId: 'local', role: 'viewer' }, 'ROLE_ADMIN_GLOBAL'],
      [{ userId: gone.id, environmentId: 'local', role: 'operator' }, 'USER_DISABLED'],
      [{ userId: crypto.randomUUID(), environmentId: 'local', role: 'operator' }, 'NOT_FOUND'],
      [{ userId: viewer.id, environmentId: 'nowhere', role: 'operator' }, 'ENVIRONMENT_NOT_FOUND'],
      [{ userId: viewer.id, environmentId: 'local', role: 'admin' }, 'INVALID_INPUT'],
      [{ userId: viewer.id, environmentId: '../x', role: 'operator' }, 'INVALID_INPUT'],
      [{ userId: viewer.id, environmentId: 'local', role: 'operator', extra: 1 }, 'INVALID_INPUT'],
      [{ userId: viewer.id, environmentId: 'local' }, 'INVALID_INPUT'],
    ];
    for (const [input, code] of cases) {
      expect(await setEnvironmentRole(world.rt, as, input), JSON.stringify(input)).toMatchObject({ ok: false, code });
      expect(lastAudit()).toMatchObject({ outcome: 'failure' });
    }
    expect(userInEnvironment(world.rt.db, viewer, 'nowhere').role).toBe('viewer');
    expect(() => userEnvironmentRoles(world.rt, as, crypto.randomUUID())).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => userEnvironmentRoles(world.rt, as, 'not-a-uuid')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('removing an environment removes its grants', async () => {
    await addStaging();
    const admin = world.addUser('admin');
    const viewer = world.addUser('viewer');
    const as = world.callerOf(admin);
    await setEnvironmentRole(world.rt, as, { userId: viewer.id, environmentId: 'staging', role: 'operator' });
    expect(await removeEnvironment(world.rt, as, { id: 'staging', confirmName: 'staging' })).toMatchObject({ ok: true });
    await addStaging();
    expect(userInEnvironment(world.rt.db, viewer, 'staging').role).toBe('viewer');
  });

  it('a user made admin loses their grants, so a later demotion does not revive them', async () => {
    const admin = world.addUser('admin');
    const operator = world.addUser('operator');
    const as = world.callerOf(admin);
    await setEnvironmentRole(world.rt, as, { userId: operator.id, environmentId: 'local', role: 'viewer' });
    await changeRole(world.rt, as, { id: operator.id, role: 'admin' });
    await changeRole(world.rt, as, { id: operator.id, role: 'operator' });
    expect(userInEnvironment(world.rt.db, operator, 'local').role).toBe('operator');
  });
});
