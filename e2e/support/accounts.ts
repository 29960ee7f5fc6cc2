import { totpAt, totpStep } from '@/server/auth/totp';
import { consoleDb, signIn, type RunningConsole } from './console';
import { runAction, type ActionAnswer } from './server-actions';

// Accounts, API tokens and second factors made through the console's own server actions, as an
// admin (or the user) makes them in the browser: set-up the tests share instead of copying.

export type NewUser = { name: string; email: string; role: 'admin' | 'operator' | 'viewer'; password: string };

const USERS = 'app/(console)/users/actions.ts';
const TOKENS = 'app/(console)/tokens/actions.ts';
const TWO_FACTOR = 'app/(auth)/two-factor/actions.ts';

/** Creates a user through the users page's action, as the admin whose cookie it is; the new id. Signs nobody in. */
export async function createUser(baseURL: string, adminCookie: string, user: NewUser): Promise<string> {
  const created = await runAction<{ id: string }>(baseURL, `${USERS}#createUserAction`, [user], adminCookie);
  if (!created?.ok) throw new Error(`user not created: ${JSON.stringify(created)}`);
  return created.data.id;
}

/** createUser, then a session of the new user. */
export async function createSignedInUser(baseURL: string, adminCookie: string, user: NewUser): Promise<{ id: string; cookie: string }> {
  const id = await createUser(baseURL, adminCookie, user);
  const cookie = await signIn(baseURL, user.email, user.password);
  if (!cookie) throw new Error(`${user.email} could not sign in`);
  return { id, cookie };
}

/** An API token made on the tokens page by the cookie's user: its id and the secret shown once. */
export async function createToken(baseURL: string, cookie: string, input: { name: string; role: NewUser['role']; expiresInDays: number }): Promise<{ id: string; token: string }> {
  const created = await runAction<{ id: string; token: string }>(baseURL, `${TOKENS}#createTokenAction`, [input], cookie);
  if (!created?.ok) throw new Error(`token not created: ${JSON.stringify(created)}`);
  return created.data;
}

export async function revokeToken(baseURL: string, cookie: string, id: string): Promise<void> {
  const revoked = await runAction(baseURL, `${TOKENS}#revokeTokenAction`, [{ id }], cookie);
  if (!revoked?.ok) throw new Error(`token not revoked: ${JSON.stringify(revoked)}`);
}

/** Lifetimes are whole days: moves a token's expiry into the past instead of waiting. */
export function expireToken(app: Pick<RunningConsole, 'dataDir'>, id: string): void {
  const db = consoleDb(app, { readonly: false });
  try {
    db.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').run(Date.now() - 1000, id);
  } finally {
    db.close();
  }
}

/** The first half of enrolment: the secret and the otpauth URI the page shows as a QR code. */
export async function beginTotpEnrolment(baseURL: string, cookie: string): Promise<{ secret: string; uri: string }> {
  const begun = await runAction<{ secret: string; uri: string }>(baseURL, `${TWO_FACTOR}#beginTotpEnrolmentAction`, [], cookie);
  if (!begun?.ok) throw new Error(`enrolment refused: ${JSON.stringify(begun)}`);
  return begun.data;
}

export async function confirmTotpEnrolment(baseURL: string, cookie: string, code: string): Promise<ActionAnswer | null> {
  return runAction(baseURL, `${TWO_FACTOR}#confirmTotpEnrolmentAction`, [{ code }], cookie);
}

/** Enrols the cookie's user in two-step sign-in with the current code; the secret. */
export async function enrolTotp(baseURL: string, cookie: string): Promise<string> {
  const { secret } = await beginTotpEnrolment(baseURL, cookie);
  const done = await confirmTotpEnrolment(baseURL, cookie, totpAt(secret, totpStep(Date.now())));
  if (!done?.ok) throw new Error(`enrolment not confirmed: ${JSON.stringify(done)}`);
  return secret;
}
