import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { auditEvents } from '../../db/schema/audit';
import { sha256 } from '../../project/file-history';
import { callerOf, fakeRuntime, type FakeRuntime } from '../../test-support/fake-runtime';
import { pendingChanges } from './settings-support';
import { getSettings, saveEnvChange } from './settings';

// The settings services on a runtime of fakes: the role check, the write through the runtime's one
// writer, the audit row and the pending mark, with no Next.js and no request.

const ENV = 'HOST=tale.example.com\nDB_PASSWORD=bundled-db-secret-value\n';
const admin: SessionUser = { id: 'u-admin', email: 'admin@example.com', name: 'Admin', role: 'admin' };
const operator: SessionUser = { id: 'u-op', email: 'op@example.com', name: 'Operator', role: 'operator' };
const viewer: SessionUser = { id: 'u-view', email: 'view@example.com', name: 'Viewer', role: 'viewer' };

let world: FakeRuntime;
const envText = () => fs.readFileSync(path.join(world.deployDir, '.env'), 'utf8');
const auditRows = () => world.rt.db.select().from(auditEvents).all();

beforeEach(() => {
  world = fakeRuntime({ files: { 'tale.json': JSON.stringify({ version: 1, cliVersion: '1.0.0', createdAt: '2026-01-01T00:00:00Z', id: 'acme' }), '.env': ENV } });
});

afterEach(() => world.dispose());

describe('settings services', () => {
  it('shows an operator the settings with secrets masked, and a viewer nothing', async () => {
    const settings = await getSettings(world.rt, callerOf(operator));
    expect(settings).toMatchObject({ deployDir: world.deployDir, initialised: true, projectId: 'acme' });
    expect(settings.env.find((e) => e.key === 'DB_PASSWORD')).toEqual({ key: 'DB_PASSWORD', value: null, secret: true, set: true });
    await expect(getSettings(world.rt, callerOf(viewer))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses an operator’s save: nothing written, nothing audited', async () => {
    const result = await saveEnvChange(world.rt, callerOf(operator), { edits: { FEATURE_X: 'on' } });
    expect(result).toEqual({ ok: false, code: 'FORBIDDEN', message: 'Your role does not allow this.' });
    expect(envText()).toBe(ENV);
    expect(auditRows()).toEqual([]);
  });

  it('writes an admin’s save, audits it with the caller’s address and marks it pending', async () => {
    const result = await saveEnvChange(world.rt, callerOf(admin), { edits: { FEATURE_X: 'on' }, baseHash: sha256(ENV) });
    expect(result).toMatchObject({ ok: true });
    expect(envText()).toBe(`${ENV}FEATURE_X=on\n`);
    expect(auditRows()).toMatchObject([{ action: 'settings.env', outcome: 'success', actorEmail: admin.email, sourceIp: '203.0.113.7', target: '.env' }]);
    expect(pendingChanges(world.rt.db, 'local')).toMatchObject({ proxy: null, colors: expect.any(String), files: ['.env'] });
  });

  it('orders two saves from the same preview through the one writer: the second is told the file changed', async () => {
    const base = sha256(ENV);
    const [first, second] = await Promise.all([
      saveEnvChange(world.rt, callerOf(admin), { edits: { FEATURE_X: 'on' }, baseHash: base }),
      saveEnvChange(world.rt, callerOf(admin), { edits: { FEATURE_Y: 'on' }, baseHash: base }),
    ]);
    expect(first).toMatchObject({ ok: true });
    expect(second).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(envText()).toBe(`${ENV}FEATURE_X=on\n`);
  });
});
