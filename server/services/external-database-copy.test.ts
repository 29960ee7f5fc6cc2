import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { auditEvents } from '../db/schema/audit';
import type { ExecRunner, ExecStream } from '../docker/exec-stream';
import { inProgress } from '../operations/conflicts';
import { appendEvent, finishOperation, getOperation, insertOperation, listOperations } from '../operations/operation-store';
import type { Runtime } from '../runtime';
import { callerOf, ended, fakeNetworkProbe, fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { copyStatusOf } from './external-database-copy';
import { copyBundledDatabase, databaseCopyStatus } from './external-database';

// The database copy's start through the service layer, as the wizard's action calls it, on a
// runtime of fakes: a temporary SQLite, a deployment directory written here and an exec runner
// that stands in for `docker exec` into the bundled db. No Next.js, Docker or PostgreSQL.

const admin: SessionUser = { id: 'u-admin', email: 'admin@example.com', name: 'Admin', role: 'admin' };
const operator: SessionUser = { id: 'u-op', email: 'op@example.com', name: 'Operator', role: 'operator' };

const copyInput = {
  connection: { kind: 'url', url: 'postgresql://postgres:admin-pass@db.example.com:5432/postgres?sslmode=require' },
  role: 'tale',
  rolePassword: 'a-service-password-of-length',
  confirm: true,
};

/** An exec runner whose every start waits for the test, then fails as Docker does for a missing container. */
function gatedExec(): ExecRunner & { starts: string[]; release(): void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const starts: string[] = [];
  return {
    starts,
    release,
    async start(container, argv): Promise<ExecStream> {
      starts.push(`${container} ${argv[0]}`);
      await gate;
      throw Object.assign(new Error('no such container'), { statusCode: 404 });
    },
  };
}

let exec: ReturnType<typeof gatedExec>;
let world: FakeRuntime;
let rt: Runtime;

beforeEach(() => {
  exec = gatedExec();
  world = fakeRuntime({
    exec,
    probe: fakeNetworkProbe(),
    files: {
      'tale.json': JSON.stringify({ version: 1, cliVersion: '1.0.0', createdAt: '2026-01-01T00:00:00Z', id: 'acme' }),
      '.env': 'HOST=tale.example.com\nDB_USER=tale\n',
    },
  });
  rt = world.rt;
});

afterEach(() => world.dispose());


const auditRows = () => rt.db.select().from(auditEvents).all();

describe('starting the database copy', () => {
  it('refuses an operator: copying is an admin step, and nothing starts', async () => {
    const result = await copyBundledDatabase(rt, callerOf(operator), copyInput);
    expect(result).toEqual({ ok: false, code: 'FORBIDDEN', message: 'Your role does not allow this.' });
    expect(listOperations(rt.db, 'local')).toEqual([]);
    expect(exec.starts).toEqual([]);
  });

  it('refuses an admin while a reset runs, with the conflict table’s answer, and adds no copy', async () => {
    const reset = insertOperation(rt.db, { kind: 'reset', params: {}, actor: null });
    expect('busy' in reset).toBe(false);

    const result = await copyBundledDatabase(rt, callerOf(admin), copyInput);

    expect(result).toEqual(inProgress('reset'));
    expect(listOperations(rt.db, 'local').map((op) => op.kind)).toEqual(['reset']);
    expect(exec.starts).toEqual([]);
    // The refused start is in the audit trail, with the caller's address and no password.
    const [row] = auditRows();
    expect(row).toMatchObject({ action: 'database.copy', outcome: 'failure', message: inProgress('reset').message, sourceIp: '203.0.113.7' });
    expect(JSON.stringify(row)).not.toContain('admin-pass');
  });

  it('starts a database-copy operation for an admin, which then keeps a reset out until it ends', async () => {
    const result = await copyBundledDatabase(rt, callerOf(admin), copyInput);
    if (!result.ok) throw new Error(`refused: ${result.code}`);
    const id = result.data.id;
    expect(getOperation(rt.db, id)).toMatchObject({ kind: 'database-copy', status: 'running', actorEmail: admin.email });
    expect(JSON.parse(getOperation(rt.db, id)!.params)).toEqual({ role: 'tale', target: 'postgres@db.example.com:5432/postgres (sslmode require)' });

    // The job runs on the runtime's exec runner, against the project's bundled db container.
    await expect.poll(() => exec.starts).toEqual(['acme-db psql']);
    expect(rt.operations.start({ kind: 'reset', params: {}, actor: null }, async () => undefined)).toEqual({ busy: 'database-copy' });

    const end = ended(rt, id);
    exec.release();
    expect(await end).toMatchObject({
      kind: 'database-copy',
      status: 'failed',
      error: { code: 'BUNDLED_DB_MISSING', message: 'There is no bundled db container (acme-db) to copy from.' },
    });
    const status = await databaseCopyStatus(rt, callerOf(admin), { id });
    expect(status).toMatchObject({ ok: true, data: { state: 'done', summary: { ok: false, failure: 'There is no bundled db container (acme-db) to copy from.' } } });
    expect(auditRows().map((r) => `${r.action}:${r.outcome}`)).toEqual(['database.copy:success', 'database.copy_finished:failure']);
  });
});

describe('the wizard’s copy status', () => {
  const event = (data: object) => ({ at: new Date(), step: 'database-copy', status: 'progress', data: JSON.stringify(data) });

  it('adds only the events stored since the last read, keeping the latest per database', () => {
    const op = insertOperation(rt.db, { kind: 'database-copy', params: {}, actor: null });
    if ('busy' in op) throw new Error('busy');
    appendEvent(rt.db, op.id, event({ type: 'database-started', database: 'tale_platform' }));
    expect(copyStatusOf(rt, op.id)).toEqual({ id: op.id, state: 'running', events: [{ type: 'database-started', database: 'tale_platform' }], summary: null });

    const progress = { type: 'progress', database: 'tale_platform', bytes: 10, objects: 1, rows: 2 };
    appendEvent(rt.db, op.id, event(progress));
    appendEvent(rt.db, op.id, event({ type: 'database-started', database: 'tale_knowledge' }));
    expect(copyStatusOf(rt, op.id).events).toEqual([progress, { type: 'database-started', database: 'tale_knowledge' }]);

    const summary = { ok: true, refused: [], failure: null, tables: [] };
    appendEvent(rt.db, op.id, event({ type: 'summary', summary }));
    finishOperation(rt.db, op.id, { status: 'succeeded' });
    expect(copyStatusOf(rt, op.id)).toMatchObject({ state: 'done', summary });
    // Once ended the fold is dropped; reading again folds the stored events to the same answer.
    expect(rt.cache.size).toBe(0);
    expect(copyStatusOf(rt, op.id)).toMatchObject({ state: 'done', summary, events: [progress, { type: 'database-started', database: 'tale_knowledge' }] });
  });
});
