import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import type { Caller } from '../auth/caller';
import { queryAudit } from '../db/audit-log';
import { deploy } from '../engine/deploy';
import { fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { adminKeyFrom, convexAdminKey } from './convex-admin';

describe('convex admin key', () => {
  it('reads the key from the banner generate-admin-key.sh prints', () => {
    const banner = [
      '==========================================',
      '  Convex Dashboard',
      '   Dashboard URL:  https://tale.example.com/convex-dashboard',
      '   Deployment URL: https://tale.example.com',
      '   Admin Key:      tale_platform|01ab23cd',
      '',
      '1. Open the dashboard URL',
    ].join('\n');
    expect(adminKeyFrom(banner)).toBe('tale_platform|01ab23cd');
    expect(adminKeyFrom('INSTANCE_SECRET must be a 64-character hex string')).toBeNull();
  });
});

describe('convexAdminKey through the service layer', () => {
  const caller = (role: SessionUser['role']): Caller => ({ user: { id: `u-${role}`, email: `${role}@example.com`, name: role, role }, sourceIp: '198.51.100.4', sessionId: null });
  const ran: string[] = [];
  let f: FakeRuntime;
  beforeEach(async () => {
    ran.length = 0;
    f = fakeRuntime();
    f.rt.host.run = async (container, argv) => {
      ran.push(`${container} ${argv.join(' ')}`);
      return { exitCode: 0, stdout: '   Admin Key:      tale_platform|01ab23cd\n', stderr: '' };
    };
    f.world.project.env.SITE_URL = 'https://tale.example.com/';
    await deploy(f.rt.ports(), { version: '1.0.0' });
  });
  afterEach(() => f.dispose());

  it('gives an admin the key made in the running platform container, audited without it', async () => {
    expect(await convexAdminKey(f.rt, caller('admin'))).toEqual({
      ok: true,
      data: { key: 'tale_platform|01ab23cd', dashboardUrl: 'https://tale.example.com/convex-dashboard', deploymentUrl: 'https://tale.example.com' },
    });
    expect(ran).toEqual(['acme-platform-blue ./generate-admin-key.sh']);
    const rows = queryAudit(f.rt.db, { action: 'convex.admin_key', limit: 5 });
    expect(rows).toEqual([expect.objectContaining({ outcome: 'success', sourceIp: '198.51.100.4', message: 'generated in acme-platform-blue' })]);
    expect(JSON.stringify(rows)).not.toContain('01ab23cd');
  });

  it('refuses an operator before anything runs', async () => {
    expect(await convexAdminKey(f.rt, caller('operator'))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(ran).toEqual([]);
  });
});
