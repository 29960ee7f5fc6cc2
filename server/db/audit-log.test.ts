import { expect, it } from 'vitest';
import { openTempDb } from './test-support/temp-db';
import { appendAudit, queryAudit, redact, tokenActorEmail } from './audit-log';

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
