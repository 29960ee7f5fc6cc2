import { describe, expect, it } from 'vitest';
import { openTempDb } from './test-support/temp-db';
import { appendAudit, appendRefusal, queryAudit, redact, refusalBurstQuery, tokenActorEmail, type RefusalEntry } from './audit-log';

it('redacts every secret-looking key at any depth', () => {
  expect(redact({ email: 'a@b.c', password: 'x', nested: { INSTANCE_SECRET: 'y', list: [{ apiToken: 'z', ok: 1 }] } })).toEqual({
    email: 'a@b.c',
    password: '[redacted]',
    nested: { INSTANCE_SECRET: '[redacted]', list: [{ apiToken: '[redacted]', ok: 1 }] },
  });
});

it('keeps the trail append-only: updates and deletes are refused by the database itself', () => {
  const { db, sqlite, dispose } = openTempDb('tc-audit-');
  try {
    appendAudit(db, { action: 'users.create', target: 'x@example.com', params: { password: 'hunter2hunter2' }, outcome: 'success' });
    const [row] = queryAudit(db, { limit: 10 });
    expect(row?.params).toBe('{"password":"[redacted]"}');
    expect(() => sqlite.prepare('UPDATE audit_events SET outcome = ?').run('failure')).toThrow(/append-only/);
    expect(() => sqlite.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    expect(queryAudit(db, { limit: 10 })).toHaveLength(1);
  } finally {
    dispose();
  }
});

it('filters by an email to the person and their API tokens, with _ and % taken literally', () => {
  const { db, dispose } = openTempDb('tc-audit-actor-');
  try {
    const actors = ['a_b@x.io', tokenActorEmail('a_b@x.io', 'ci'), tokenActorEmail('aXb@x.io', 'ci'), tokenActorEmail('a_b@x.io.evil', 'ci'), 'a%@x.io'];
    for (const email of actors) appendAudit(db, { actor: { id: email, email }, action: 'users.create', outcome: 'success' });
    const emails = (filter: string) => queryAudit(db, { actorEmail: filter, limit: 10 }).map((r) => r.actorEmail).sort();
    expect(emails('a_b@x.io')).toEqual(['a_b@x.io', 'a_b@x.io (token: ci)']);
    expect(emails('a%@x.io')).toEqual(['a%@x.io']);
  } finally {
    dispose();
  }
});

describe('appendRefusal', () => {
  const WINDOW = 15 * 60_000;
  const T0 = new Date('2026-12-03T06:00:00Z');
  const at = (ms: number) => new Date(T0.getTime() + ms);
  const locked: RefusalEntry = { action: 'auth.sign_in', target: 'victim@example.com', sourceIp: '10.0.0.7', outcome: 'denied', message: 'locked out after repeated failures' };
  const rowsOf = (db: ReturnType<typeof openTempDb>['db']) =>
    queryAudit(db, { limit: 100 })
      .reverse()
      .map((r) => ({ target: r.target, sourceIp: r.sourceIp, outcome: r.outcome, message: r.message, at: r.at.getTime(), repeatCount: r.repeatCount, lastRepeatAt: r.lastRepeatAt?.getTime() ?? null }));

  it('records the first refusal of a burst as a row and counts the rest from that address on it', () => {
    const { db, dispose } = openTempDb('tc-audit-refusal-');
    try {
      appendRefusal(db, locked, WINDOW, T0);
      // Later ones of the burst may name other targets: who was tried first stays on the row.
      for (let i = 1; i <= 999; i++) appendRefusal(db, { ...locked, target: `other-${i}@example.com` }, WINDOW, at(i * 10));
      expect(rowsOf(db)).toEqual([{ target: 'victim@example.com', sourceIp: '10.0.0.7', outcome: 'denied', message: 'locked out after repeated failures', at: T0.getTime(), repeatCount: 999, lastRepeatAt: at(9_990).getTime() }]);
    } finally {
      dispose();
    }
  });

  it('starts a new row for another address, outcome or reason, after the window, and never counts on a signed-in actor’s row', () => {
    const { db, dispose } = openTempDb('tc-audit-refusal-keys-');
    try {
      appendRefusal(db, locked, WINDOW, T0);
      appendRefusal(db, { ...locked, sourceIp: '10.0.0.8' }, WINDOW, at(1));
      appendRefusal(db, { ...locked, outcome: 'failure' }, WINDOW, at(2));
      appendRefusal(db, { ...locked, outcome: 'failure', message: 'malformed sign-in' }, WINDOW, at(3));
      appendRefusal(db, { ...locked, action: 'setup.first_admin' }, WINDOW, at(4));
      appendRefusal(db, locked, WINDOW, at(WINDOW)); // the window's last moment: still the burst
      appendRefusal(db, locked, WINDOW, at(WINDOW + 1)); // past it: a new row
      appendRefusal(db, locked, WINDOW, at(WINDOW + 2));
      expect(rowsOf(db).map((r) => [r.sourceIp, r.outcome, r.message, r.at - T0.getTime(), r.repeatCount])).toEqual([
        ['10.0.0.7', 'denied', 'locked out after repeated failures', 0, 1],
        ['10.0.0.8', 'denied', 'locked out after repeated failures', 1, 0],
        ['10.0.0.7', 'failure', 'locked out after repeated failures', 2, 0],
        ['10.0.0.7', 'failure', 'malformed sign-in', 3, 0],
        ['10.0.0.7', 'denied', 'locked out after repeated failures', 4, 0],
        ['10.0.0.7', 'denied', 'locked out after repeated failures', WINDOW + 1, 1],
      ]);

      const other = openTempDb('tc-audit-refusal-actor-');
      try {
        appendAudit(other.db, { ...locked, actor: { id: 'u-1', email: 'ada@example.com' } }, T0);
        appendRefusal(other.db, locked, WINDOW, at(1));
        expect(rowsOf(other.db).map((r) => r.repeatCount)).toEqual([0, 0]);
      } finally {
        other.dispose();
      }
    } finally {
      dispose();
    }
  });

  it('finds the row to count on through an index, so a long flood costs the same per request', () => {
    const { db, sqlite, dispose } = openTempDb('tc-audit-refusal-plan-');
    try {
      const query = refusalBurstQuery(db, locked, WINDOW, T0).toSQL();
      const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX audit_events_repeats \(source_ip=\? AND action=\? AND at>\?\)/);
    } finally {
      dispose();
    }
  });

  it('keeps the trail append-only: only a refusal’s repeat count and last repeat may change, only upward', () => {
    const { db, sqlite, dispose } = openTempDb('tc-audit-repeat-triggers-');
    try {
      appendRefusal(db, locked, WINDOW, T0);
      appendAudit(db, { action: 'users.create', actor: { id: 'u-1', email: 'ada@example.com' }, sourceIp: '10.0.0.7', outcome: 'failure', message: 'm' }, T0);
      appendAudit(db, { action: 'auth.sign_in', sourceIp: '10.0.0.7', outcome: 'success', message: 'signed in' }, T0);
      const [refusal, withActor, success] = (sqlite.prepare('SELECT id FROM audit_events ORDER BY id').all() as { id: number }[]).map((r) => r.id);
      const later = at(1000).getTime();
      const update = (set: string, id: number, ...args: unknown[]) => () => sqlite.prepare(`UPDATE audit_events SET ${set} WHERE id = ?`).run(...args, id);

      for (const [column, value] of [
        ['id', 999],
        ['at', later],
        ['actor_id', 'u-2'],
        ['actor_email', 'x@example.com'],
        ['action', 'other'],
        ['target', 'x'],
        ['params', '{}'],
        ['source_ip', '10.0.0.9'],
        ['outcome', 'success'],
        ['message', 'rewritten'],
      ] as const) {
        // Even alongside a legitimate raise of the count.
        expect(update(`${column} = ?, repeat_count = repeat_count + 1, last_repeat_at = ?`, refusal!, value, later), column).toThrow(/append-only/);
      }
      expect(update('target = NULL', refusal!)).toThrow(/append-only/);
      expect(update('repeat_count = repeat_count + 1, last_repeat_at = ?', withActor!, later)).toThrow(/append-only/);
      expect(update('repeat_count = repeat_count + 1, last_repeat_at = ?', success!, later)).toThrow(/append-only/);
      // Upward only: a count and a time that go back, or stay, are refused.
      expect(update('repeat_count = 5, last_repeat_at = ?', refusal!, later)).not.toThrow();
      expect(update('repeat_count = 4, last_repeat_at = ?', refusal!, later + 1)).toThrow(/append-only/);
      expect(update('repeat_count = 5, last_repeat_at = ?', refusal!, later + 1)).toThrow(/append-only/);
      expect(update('repeat_count = 6, last_repeat_at = ?', refusal!, later - 1)).toThrow(/append-only/);
      expect(update('repeat_count = 6, last_repeat_at = NULL', refusal!)).toThrow(/append-only/);
      expect(() => sqlite.prepare('DELETE FROM audit_events WHERE id = ?').run(refusal)).toThrow(/append-only/);
      expect(() => sqlite.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
      // A row cannot be born with repeats it never had.
      expect(() => sqlite.prepare("INSERT INTO audit_events (at, action, outcome, repeat_count) VALUES (?, 'auth.sign_in', 'denied', 100)").run(later)).toThrow(/start without repeats/);

      expect(sqlite.prepare('SELECT id, at, target, outcome, message, repeat_count, last_repeat_at FROM audit_events ORDER BY id').all()).toEqual([
        { id: refusal, at: T0.getTime(), target: 'victim@example.com', outcome: 'denied', message: 'locked out after repeated failures', repeat_count: 5, last_repeat_at: later },
        { id: withActor, at: T0.getTime(), target: null, outcome: 'failure', message: 'm', repeat_count: 0, last_repeat_at: null },
        { id: success, at: T0.getTime(), target: null, outcome: 'success', message: 'signed in', repeat_count: 0, last_repeat_at: null },
      ]);
    } finally {
      dispose();
    }
  });
});

it('redacts by the one secret rule: unknown secret keys, form fields, and any value carrying a URL password', () => {
  const params = {
    email: 'a@b.c',
    role: 'operator',
    keys: ['SMTP_PASS'],
    newPassword: 'x',
    confirm: 'x',
    totp: '123456',
    token: 'tale_abc',
    changes: {
      SMTP_PASS: { kind: 'changed', before: 'old', after: 'new' },
      DB_PASS: { kind: 'added', before: null, after: 'p' },
      HOOK: { kind: 'added', before: null, after: 'https://hook:pw@hooks.example/in' },
      HOST: { kind: 'changed', before: 'a.example.com', after: 'b.example.com' },
    },
    urls: ['postgresql://svc:pw@pg.example:5432', 'https://example.com'],
  };
  expect(redact(params)).toEqual({
    email: 'a@b.c',
    role: 'operator',
    keys: '[redacted]',
    newPassword: '[redacted]',
    confirm: '[redacted]',
    totp: '[redacted]',
    token: '[redacted]',
    changes: {
      SMTP_PASS: '[redacted]',
      DB_PASS: '[redacted]',
      HOOK: { kind: 'added', before: null, after: '[redacted]' },
      HOST: { kind: 'changed', before: 'a.example.com', after: 'b.example.com' },
    },
    urls: ['[redacted]', 'https://example.com'],
  });
});
