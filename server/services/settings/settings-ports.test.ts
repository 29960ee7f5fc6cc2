import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { auditEvents } from '../../db/schema/audit';
import { finishOperation, insertOperation } from '../../operations/operation-store';
import { sha256 } from '../../project/file-history';
import { callerOf, fakeRuntime, type FakeRuntime } from '../../test-support/fake-runtime';
import { pendingChanges } from './settings-support';
import { saveProxyPorts } from './settings-files';

// The published-ports form's save on a runtime of fakes: admin only, zod-checked, written over the
// previewed version only, pending for the proxy until one settings apply has run.

const OVERRIDE = "services:\n  proxy:\n    ports: !override ['127.0.0.1:18080:80', '127.0.0.1:18443:443']   # behind nginx\n";
const admin: SessionUser = { id: 'u-admin', email: 'admin@example.com', name: 'Admin', role: 'admin' };
const operator: SessionUser = { id: 'u-op', email: 'op@example.com', name: 'Operator', role: 'operator' };

let world: FakeRuntime;
const overrideText = () => fs.readFileSync(path.join(world.deployDir, 'compose.override.yml'), 'utf8');

beforeEach(() => {
  world = fakeRuntime({
    files: { 'tale.json': JSON.stringify({ version: 1, cliVersion: '1.0.0', createdAt: '2026-01-01T00:00:00Z', id: 'acme' }), '.env': 'HOST=x\n', 'compose.override.yml': OVERRIDE },
  });
});
afterEach(() => world.dispose());

describe('saveProxyPorts', () => {
  it('writes one changed entry, audits it and marks the proxy (not the colours) pending until a settings apply', async () => {
    const res = await saveProxyPorts(world.rt, callerOf(admin), { bind: '127.0.0.1', http: 18081, https: 18443, baseHash: sha256(OVERRIDE) });
    expect(res).toMatchObject({ ok: true });
    expect(overrideText()).toBe(OVERRIDE.replace('18080', '18081'));
    expect(world.rt.db.select().from(auditEvents).all()).toMatchObject([{ action: 'settings.proxy_ports', outcome: 'success', target: 'proxy' }]);
    expect(pendingChanges(world.rt.db, 'local')).toMatchObject({ proxy: expect.any(String), colors: null, files: ['compose.override.yml'] });

    await new Promise((r) => setTimeout(r, 5));
    const op = insertOperation(world.rt.db, { kind: 'apply-settings', params: { version: '1.0.0', proxy: true, colors: false }, actor: null });
    if ('busy' in op) throw new Error('busy');
    finishOperation(world.rt.db, op.id, { status: 'succeeded', result: {} });
    expect(pendingChanges(world.rt.db, 'local')).toMatchObject({ proxy: null, colors: null });
  });

  it('refuses an operator, a clash and a bind address outside the list, writing nothing', async () => {
    expect(await saveProxyPorts(world.rt, callerOf(operator), { bind: '', http: 8080, https: 8443 })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await saveProxyPorts(world.rt, callerOf(admin), { bind: '', http: 8080, https: 8080 })).toMatchObject({ ok: false, code: 'INVALID_INPUT', fieldErrors: { https: expect.any(Array) } });
    expect(await saveProxyPorts(world.rt, callerOf(admin), { bind: '192.168.1.1', http: 8080, https: 8443 })).toMatchObject({ ok: false, fieldErrors: { bind: expect.any(Array) } });
    expect(await saveProxyPorts(world.rt, callerOf(admin), { bind: '', http: 8080, https: 8443, baseHash: sha256('other') })).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(overrideText()).toBe(OVERRIDE);
  });
});
