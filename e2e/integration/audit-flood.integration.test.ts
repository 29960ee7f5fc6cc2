import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditEventDto } from '@/lib/dto/user';
import { createUser, type NewUser } from '../support/accounts';
import { auditEvents } from '../support/audit';
import { consoleDb, signIn, signInAttempt, signInCsrf, startConsole, type RunningConsole, type SignInCsrf } from '../support/console';
import { runAction } from '../support/server-actions';

// A flood of refusals of callers who are not signed in, from one client, against the real console:
// it must not grow the append-only audit trail by a row a request, and the rows it leaves must still
// say who tried (source address, target) and add up to every request sent.

const REQUESTS = 10_000;
const CONCURRENCY = 20;
/** The defaults: 5 failures lock an account, 20 refused tokens lock an address, for 900 s. */
const MAX_FAILURES = 5;
const VICTIM: NewUser = { name: 'Victim', email: 'victim@example.com', role: 'viewer', password: 'the-right-password' };
const BAD_TOKEN = `Bearer tale_${crypto.randomBytes(32).toString('base64url')}`;
const INTRUDER = { token: 'a-guessed-setup-token', name: 'Mallory', email: 'mallory@example.com', password: 'mallory-password-1', confirm: 'mallory-password-1' };

let app: RunningConsole;
let csrf: SignInCsrf;

const bearer = () => fetch(`${app.baseURL}/api/v1/me`, { headers: { Authorization: BAD_TOKEN } });

beforeAll(async () => {
  app = await startConsole();
  await createUser(app.baseURL, app.cookie, VICTIM);
  // Lock the victim's account and the client's address for tokens, as an attacker would have done.
  for (let i = 0; i < MAX_FAILURES; i++) expect(await signIn(app.baseURL, VICTIM.email, `guess-${i}`)).toBeNull();
  for (let i = 0; i < MAX_FAILURES * 4; i++) expect((await bearer()).status).toBe(401);
  csrf = await signInCsrf(app.baseURL);
}, 300_000);

afterAll(async () => {
  await app?.stop();
});

type Kind = 'locked sign-in' | 'malformed sign-in' | 'setup after setup' | 'locked token';

/** One refusal of each kind; each returns whether the console refused it as it should. */
const send: Record<Kind, () => Promise<boolean>> = {
  'locked sign-in': async () => (await signInAttempt(app.baseURL, { email: VICTIM.email, password: VICTIM.password }, csrf)).error === 'CredentialsSignin',
  'malformed sign-in': async () => (await signInAttempt(app.baseURL, { email: 'not an email', password: 'whatever' }, csrf)).error === 'CredentialsSignin',
  'setup after setup': async () => {
    const result = await runAction(app.baseURL, 'app/(auth)/setup/actions.ts#setupAction', [INTRUDER]);
    return result?.ok === false && result.code === 'SETUP_CLOSED';
  },
  'locked token': async () => (await bearer()).status === 429,
};

/** The row each kind must leave: who tried, from where, why. */
const expected: Record<Kind, Pick<AuditEventDto, 'action' | 'target' | 'sourceIp' | 'outcome' | 'message' | 'actor'>> = {
  'locked sign-in': { action: 'auth.sign_in', target: VICTIM.email, sourceIp: '127.0.0.1', outcome: 'denied', message: 'locked out after repeated failures', actor: null },
  'malformed sign-in': { action: 'auth.sign_in', target: 'not an email', sourceIp: '127.0.0.1', outcome: 'failure', message: 'malformed sign-in', actor: null },
  'setup after setup': { action: 'setup.first_admin', target: INTRUDER.email, sourceIp: '127.0.0.1', outcome: 'failure', message: 'setup already done', actor: null },
  'locked token': { action: 'auth.api_token', target: null, sourceIp: '127.0.0.1', outcome: 'denied', message: 'address locked out after repeated failures; token not checked', actor: null },
};

it('10,000 refusals of callers who are not signed in add a handful of rows that still say who tried and count every request', async () => {
  const db = consoleDb(app);
  const lastId = () => (db.prepare('SELECT max(id) AS id FROM audit_events').get() as { id: number }).id;
  const before = lastId();

  const kinds = Object.keys(send) as Kind[];
  const plan = Array.from({ length: REQUESTS }, (_, i) => kinds[i % kinds.length]!);
  const sent = Object.fromEntries(kinds.map((k) => [k, 0])) as Record<Kind, number>;
  const wrongAnswers: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < plan.length) {
        const kind = plan[next++]!;
        sent[kind] += 1;
        if (!(await send[kind]())) wrongAnswers.push(kind);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rowsAdded = lastId() - before;
  db.close();
  console.log(
    `[audit-flood] ${REQUESTS} unauthenticated refusals (${kinds.map((k) => `${sent[k]} ${k}`).join(', ')}) from one client at concurrency ${CONCURRENCY}: ` +
      `${rowsAdded} audit rows added, ${(REQUESTS / seconds).toFixed(0)} requests/s over ${seconds.toFixed(1)} s`,
  );
  expect(wrongAnswers).toEqual([]);
  expect(rowsAdded).toBeLessThanOrEqual(kinds.length);

  // What an admin sees in the JSON export: one row per kind, naming the source and the target,
  // its count making up every request of that kind.
  const events = (await auditEvents(app.baseURL, app.cookie)).filter((e) => e.id > before);
  for (const kind of kinds) {
    const rows = events.filter((e) => e.action === expected[kind].action && e.message === expected[kind].message);
    expect(rows.map((r) => ({ action: r.action, target: r.target, sourceIp: r.sourceIp, outcome: r.outcome, message: r.message, actor: r.actor })), kind).toEqual([expected[kind]]);
    expect(rows[0]!.repeatCount + 1, kind).toBe(sent[kind]);
    expect(Date.parse(rows[0]!.lastRepeatAt!), kind).toBeGreaterThanOrEqual(Date.parse(rows[0]!.at));
  }
  expect(events.reduce((n, e) => n + 1 + e.repeatCount, 0)).toBe(REQUESTS);

  // The CSV export and the audit page carry the counts too.
  const csv = await (await fetch(`${app.baseURL}/api/v1/audit?format=csv&action=setup.first_admin`, { headers: { Cookie: app.cookie } })).text();
  expect(csv.split('\r\n')[0]).toBe('id,at,actor,action,target,params,sourceIp,outcome,message,repeatCount,lastRepeatAt');
  expect(csv).toContain(`,127.0.0.1,failure,setup already done,${sent['setup after setup'] - 1},`);
  const page = await (await fetch(`${app.baseURL}/audit?action=auth.sign_in`, { headers: { Cookie: app.cookie } })).text();
  expect(page).toContain(`and ${(sent['locked sign-in'] - 1).toLocaleString('en-US')} more until `);
}, 600_000);
