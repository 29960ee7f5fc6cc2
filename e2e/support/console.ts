import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { freeLoopbackPort } from '../fixtures/free-port';
import { pollUntil } from '../fixtures/poll';
import { projectRoot } from './paths';
import { actionId, callAction } from './server-actions';

// A real console process (the built standalone server, via the README's start command) for
// integration tests and benchmarks, with its own data directory and an admin session.

export type RunningConsole = {
  baseURL: string;
  dataDir: string;
  pid: number;
  cookie: string;
  output(): string;
  stop(): Promise<void>;
};

export const TEST_ADMIN = { name: 'Test Admin', email: 'admin@example.com', password: 'integration-password-1' };

async function waitForLive(baseURL: string, child: ChildProcess, output: () => string): Promise<void> {
  const end = Date.now() + 120_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`console exited early:\n${output()}`);
    const ok = await fetch(`${baseURL}/api/health/live`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`console did not start:\n${output()}`);
}

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

/** Signs in through next-auth's credentials endpoint exactly as the browser form does. */
export async function signIn(baseURL: string, email: string, password: string): Promise<string | null> {
  return (await signInAttempt(baseURL, { email, password })).cookie;
}

/** next-auth's CSRF token and the cookie it is checked against: one pair serves any number of attempts. */
export type SignInCsrf = { csrfToken: string; cookie: string };

export async function signInCsrf(baseURL: string): Promise<SignInCsrf> {
  const res = await fetch(`${baseURL}/api/auth/csrf`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { csrfToken, cookie: cookiesOf(res).join('; ') };
}

/** One sign-in attempt with any fields (e.g. a TOTP code): the session cookie, or next-auth's error code. */
export async function signInAttempt(baseURL: string, fields: Record<string, string>, csrf?: SignInCsrf): Promise<{ cookie: string | null; error: string | null }> {
  const { csrfToken, cookie: csrfCookie } = csrf ?? (await signInCsrf(baseURL));
  const res = await fetch(`${baseURL}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, ...fields, json: 'true' }),
  });
  const cookie = cookiesOf(res).find((c) => c.includes('next-auth.session-token=')) ?? null;
  const url = ((await res.json().catch(() => ({}))) as { url?: string }).url ?? '';
  const error = url ? new URL(url, baseURL).searchParams.get('error') : null;
  return { cookie, error };
}

/** Signs out through next-auth's endpoint exactly as the browser's Sign out button does. */
export async function signOut(baseURL: string, cookie: string): Promise<void> {
  const csrf = await fetch(`${baseURL}/api/auth/csrf`, { headers: { Cookie: cookie } });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseURL}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: [cookie, ...cookiesOf(csrf)].join('; ') },
    body: new URLSearchParams({ csrfToken, json: 'true' }),
  });
  // next-auth answers a refused CSRF token with a redirect back to its sign-out page.
  const url = ((await res.json().catch(() => ({}))) as { url?: string }).url ?? '';
  if (res.status !== 200 || url.includes('csrf=true')) throw new Error(`sign-out refused: ${res.status} ${url}`);
}

/**
 * `dataDir`: the caller's own data directory, kept by stop(), so a second start on it is a restart
 * of the same console (the admin then exists, and it only signs in); the caller removes it.
 */
export async function startConsole(opts: { deployDir?: string; env?: Record<string, string>; dataDir?: string } = {}): Promise<RunningConsole> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tc-console-'));
  const port = await freeLoopbackPort();
  const baseURL = `http://127.0.0.1:${port}`;
  let out = '';
  const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'start.mjs')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      DATA_DIR: dataDir,
      ...(opts.deployDir ? { DEPLOY_DIR: opts.deployDir } : {}),
      ...opts.env,
    },
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const output = () => out;
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForLive(baseURL, child, output);
    // The setup token exists until the first admin is made: a restart has none.
    if (fs.existsSync(path.join(dataDir, 'setup-token'))) {
      const token = fs.readFileSync(path.join(dataDir, 'setup-token'), 'utf8').trim();
      const result = await callAction(baseURL, actionId('app/(auth)/setup/actions.ts#setupAction'), [{ token, ...TEST_ADMIN, confirm: TEST_ADMIN.password }]);
      if (!result.includes('"ok":true')) throw new Error(`setup failed: ${result}`);
    }
    const cookie = await signIn(baseURL, TEST_ADMIN.email, TEST_ADMIN.password);
    if (!cookie) throw new Error('sign-in failed');
    // start.mjs runs the server as its child; the server is the process whose memory matters.
    const serverPid = findServerPid(child.pid!);
    return { baseURL, dataDir, pid: serverPid, cookie, output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function findServerPid(parent: number): number {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) return Number(entry);
    } catch {
      // The process went away while we looked.
    }
  }
  return parent;
}

/**
 * The console's own SQLite database, for what no page or API shows (a stored hash, a count of
 * rows) or a state the test cannot wait for. Read-only unless asked; close it after use.
 */
export function consoleDb(app: Pick<RunningConsole, 'dataDir'>, opts: { readonly: boolean } = { readonly: true }): Database.Database {
  return new Database(path.join(app.dataDir, 'console.db'), { readonly: opts.readonly });
}

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** A console process on a killed one's data directory (its admin exists, so no setup), signed in again. */
export async function restartConsole(dataDir: string, deployDir: string) {
  const port = await freeLoopbackPort();
  const baseURL = `http://127.0.0.1:${port}`;
  let out = '';
  const child = spawn(process.execPath, [path.join(projectRoot, 'scripts', 'start.mjs')], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir, DEPLOY_DIR: deployDir },
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let cookie: string | null = null;
  try {
    await pollUntil(() => fetch(`${baseURL}/api/health/live`).then((r) => r.ok, () => false), Boolean, 120_000, 200);
    cookie = await signIn(baseURL, TEST_ADMIN.email, TEST_ADMIN.password);
    if (!cookie) throw new Error('sign-in failed');
  } catch (err) {
    child.kill('SIGTERM');
    throw new Error(`the console did not start again: ${(err as Error).message}\n${out.slice(-3000)}`);
  }
  return {
    baseURL,
    cookie,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** JSON calls to a running console's API as its admin (cookie, same-origin): status, parsed body and the raw text. */
export function consoleApi(app: Pick<RunningConsole, 'baseURL' | 'cookie'>) {
  return async <T>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T; text: string }> => {
    const res = await fetch(`${app.baseURL}${url}`, {
      method,
      headers: { Cookie: app.cookie, Origin: app.baseURL, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as T, text };
  };
}
