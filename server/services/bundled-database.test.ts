import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import type { Caller } from '../auth/caller';
import { queryAudit } from '../db/audit-log';
import { deploy } from '../engine/deploy';
import { fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { databaseInUse, removeBundledDatabaseVolume } from './bundled-database';
import { liveOverview } from './overview';

// Which database runs versus what the files choose, and the guarded removal of the bundled db's
// volume, over the fake engine. The files are written twice on purpose: the engine's fake project
// is what a deploy reads, the deployment directory what the wizard's services read.

const EXTERNAL = 'postgresql://tale:s3cret@pg.example:6543';
const caller = (role: SessionUser['role']): Caller => ({ user: { id: `u-${role}`, email: `${role}@example.com`, name: role, role }, sourceIp: '198.51.100.4', sessionId: null });

describe('the database in use', () => {
  let f: FakeRuntime;
  beforeEach(async () => {
    f = fakeRuntime({ files: { '.env': 'DB_PASSWORD=x\n' } });
    await deploy(f.rt.ports(), { version: '1.0.0' });
  });
  afterEach(() => f.dispose());

  function switchFiles() {
    fs.writeFileSync(path.join(f.deployDir, '.env'), `DB_PASSWORD=x\nPOSTGRES_URL=${EXTERNAL}\n`);
    fs.writeFileSync(path.join(f.deployDir, 'compose.override.yml'), 'services:\n  db:\n    profiles: [disabled]\n');
    f.world.project.env = { ...f.world.project.env, POSTGRES_URL: EXTERNAL };
    f.world.project.override = { db: { disabled: true } };
  }

  it('says bundled in use with nothing pending, and refuses to remove the volume the files use', async () => {
    const state = await databaseInUse(f.rt);
    expect(state).toMatchObject({ inUse: { kind: 'bundled', label: 'bundled (db container)' }, pending: null, configured: { kind: 'bundled' } });
    expect(state?.services.map((s) => s.container).sort()).toEqual(['acme-convex', 'acme-crawler-blue', 'acme-platform-blue', 'acme-rag-blue']);
    expect(state?.bundled).toMatchObject({ container: 'acme-db', state: 'running', volume: 'acme_db-data', volumeExists: true });
    const refused = await removeBundledDatabaseVolume(f.rt, caller('admin'), { confirm: 'acme_db-data' });
    expect(refused).toMatchObject({ ok: false, code: 'BUNDLED_DB_IN_USE' });
    expect(f.world.docker.volumes.has('acme_db-data')).toBe(true);
  });

  it('after the files switch: still bundled in use, pending marked, the overview says so too; no credentials anywhere', async () => {
    switchFiles();
    const state = await databaseInUse(f.rt);
    expect(state?.inUse).toMatchObject({ kind: 'bundled' });
    expect(state?.pending).toBe('switches to external (pg.example:6543) at the next deploy');
    expect((await removeBundledDatabaseVolume(f.rt, caller('admin'), { confirm: 'acme_db-data' })).ok).toBe(false);
    const overview = await liveOverview(f.rt);
    expect(overview.database?.pending).toBe(state?.pending);
    expect(JSON.stringify(state)).not.toContain('s3cret');
  });

  it('after the deploy: external in use, the db stopped; the volume goes only with the typed name, audited', async () => {
    switchFiles();
    await deploy(f.rt.ports(), { version: '1.0.0' });
    const state = await databaseInUse(f.rt);
    expect(state).toMatchObject({
      inUse: { kind: 'external', host: 'pg.example', port: 6543, label: 'external (pg.example:6543)' },
      pending: null,
      bundled: { state: 'stopped', volumeExists: true, removalBlocked: null },
    });

    expect(await removeBundledDatabaseVolume(f.rt, caller('operator'), { confirm: 'acme_db-data' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(await removeBundledDatabaseVolume(f.rt, caller('admin'), { confirm: 'acme_db-dat' })).toMatchObject({ ok: false, code: 'CONFIRMATION_MISMATCH' });
    expect(await removeBundledDatabaseVolume(f.rt, caller('admin'), { confirm: 'acme_db-data', extra: 1 })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(f.world.docker.volumes.has('acme_db-data')).toBe(true);

    expect(await removeBundledDatabaseVolume(f.rt, caller('admin'), { confirm: 'acme_db-data' })).toEqual({ ok: true, data: { removed: 'acme_db-data' } });
    expect(f.world.docker.volumes.has('acme_db-data')).toBe(false);
    expect(f.world.docker.containers.has('acme-db')).toBe(false);
    expect(f.world.project.lockHeld).toBe(false);
    const rows = queryAudit(f.rt.db, { action: 'database.remove_bundled_volume', limit: 50 });
    expect(rows.map((r) => r.outcome).sort()).toEqual(['failure', 'failure', 'success']);
    expect((await databaseInUse(f.rt))?.bundled).toMatchObject({ state: 'absent', volumeExists: false });
  });
});
