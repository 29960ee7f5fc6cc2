import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { callerOf, ended, fakeRuntime, type FakeRuntime } from '../../test-support/fake-runtime';
import { startDeploy } from '../operations';
import { applyPlanFor, applySettings } from './settings-apply';
import { markPending } from './settings-support';

// "Apply now" records what it applies, so the history says "Apply settings: TLS_MODE" instead of
// "update 1.0.0" (issue #20).

const admin: SessionUser = { id: 'u-admin', email: 'admin@example.com', name: 'admin', role: 'admin' };

let f: FakeRuntime;
beforeEach(() => {
  f = fakeRuntime();
});
afterEach(() => f.dispose());

describe('Apply now', () => {
  it('names the pending changes it applies in its purpose', async () => {
    const first = await startDeploy(f.rt, callerOf(admin), { version: '1.0.0' });
    if (!first.ok) throw new Error(first.code);
    await ended(f.rt, first.data.id);
    markPending(f.rt.db, 'local', '.env', { proxy: true, colors: false }, admin, ['TLS_MODE', 'BASE_PATH']);

    const applied = await applySettings(f.rt, callerOf(admin));
    if (!applied.ok) throw new Error(`${applied.code}: ${applied.message}`);
    expect(applied.data).toMatchObject({ kind: 'apply-settings', params: { proxy: true, colors: false, appliesSettings: ['TLS_MODE', 'BASE_PATH'] }, purpose: 'Apply settings: TLS_MODE, BASE_PATH' });
    expect((await ended(f.rt, applied.data.id)).purpose).toBe('Apply settings: TLS_MODE, BASE_PATH');
  });
});

// One "Apply now" runs everything the saved changes need, in one operation: the colours' deploy
// also looks at the proxy (recreated only when its configuration hash changed).
describe('applyPlanFor', () => {
  const at = '2026-01-01T00:00:00.000Z';

  it('with the proxy and the colours pending (BASE_PATH), plans one deploy that includes the proxy', () => {
    expect(applyPlanFor({ proxy: at, colors: at }, '1.2.0')).toEqual({ version: '1.2.0', proxy: true, colors: true, options: { version: '1.2.0', proxy: true } });
  });

  it('with only the colours pending, still lets the deploy compare the proxy’s hash', () => {
    expect(applyPlanFor({ proxy: null, colors: at }, '1.2.0').options).toEqual({ version: '1.2.0', proxy: true });
  });

  it('with only the proxy pending (a TLS mode, the published ports), updates the proxy in place and no colour', () => {
    expect(applyPlanFor({ proxy: at, colors: null }, '1.2.0').options).toEqual({ version: '1.2.0', services: ['proxy'] });
  });
});
