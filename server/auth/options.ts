import 'server-only';
import type { NextAuthOptions, Session } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { signInSchema } from '@/lib/schemas/auth';
import { runtime } from '../runtime';
import { findUserByEmail } from '../db/users';
import { burnPasswordCheck, verifyPassword } from './password';
import { appendAudit, appendRefusal } from '../db/audit-log';
import { clientIp } from './client-ip';
import { accountKey, addressKey, clearFailures, isLocked, recordFailure, throttlePolicies } from './throttle';
import { verifyTotp } from './totp';
import { acceptTotpStep } from '../db/totp';
import { createSession, endSession } from '../db/sessions';

async function authorize(raw: unknown, headers: Headers) {
  const { env, db } = runtime();
  const sourceIp = clientIp(headers, env.trustedProxies);
  const policy = throttlePolicies(env.signIn);
  const parsed = signInSchema.safeParse(raw);
  const email = parsed.success ? parsed.data.email : String((raw as { email?: unknown }).email ?? '').slice(0, 254);
  const audit = (outcome: 'success' | 'failure' | 'denied', message: string, actor?: { id: string; email: string }) =>
    appendAudit(db, { action: 'auth.sign_in', target: email, sourceIp, outcome, message, actor });
  // Neither of these counts toward a lockout, so nothing bounds how often they come: a burst from one
  // address is one row with a count, not a row a request.
  const refusal = (outcome: 'failure' | 'denied', message: string) =>
    appendRefusal(db, { action: 'auth.sign_in', target: email, sourceIp, outcome, message }, policy.account.lockoutMs);

  // Every refusal below is the same null, which next-auth answers with the same CredentialsSignin:
  // the answer never tells a wrong password from a right one that lacks its code, nor says why.
  if (!parsed.success) {
    refusal('failure', 'malformed sign-in');
    return null;
  }
  // Locked out: refused without even checking the password.
  if (isLocked(db, accountKey(email)) || isLocked(db, addressKey(sourceIp))) {
    refusal('denied', 'locked out after repeated failures');
    return null;
  }
  const user = findUserByEmail(db, email);
  const valid = user ? await verifyPassword(user.passwordHash, parsed.data.password) : (await burnPasswordCheck(parsed.data.password), false);
  const fail = (why: string) => {
    const locked = [recordFailure(db, accountKey(email), policy.account), recordFailure(db, addressKey(sourceIp), policy.address)];
    audit('failure', locked.some(Boolean) ? `${why}; now locked out` : why);
    return null;
  };
  // A disabled account gets the same generic refusal as a wrong password.
  if (!user || !valid || user.disabledAt) return fail(user?.disabledAt && valid ? 'account disabled' : 'wrong credentials');
  if (user.totpSecret) {
    // A missing code is a failure like a wrong one: answering it differently would confirm the password.
    if (!parsed.data.totp) return fail('second-factor code missing');
    const step = verifyTotp(user.totpSecret, parsed.data.totp, { lastStep: user.totpLastStep });
    // The conditional update refuses a step already used, even by a sign-in racing this one.
    if (step === null || !acceptTotpStep(db, user.id, step)) return fail('wrong or reused second-factor code');
  }
  clearFailures(db, accountKey(email));
  audit('success', 'signed in', { id: user.id, email: user.email });
  return { id: user.id, email: user.email, name: user.name };
}

/** Built per call so nothing reads configuration while Next is building. */
export function authOptions(): NextAuthOptions {
  const { env, db } = runtime();
  return {
    secret: env.sessionSecret,
    session: { strategy: 'jwt', maxAge: env.sessionMaxAgeSeconds },
    jwt: { maxAge: env.sessionMaxAgeSeconds },
    useSecureCookies: env.secureCookies,
    pages: { signIn: '/login', error: '/login' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { type: 'email' }, password: { type: 'password' }, totp: { type: 'text' } },
        authorize: (credentials, req) =>
          authorize(
            { email: credentials?.email ?? '', password: credentials?.password ?? '', ...(credentials?.totp ? { totp: credentials.totp } : {}) },
            new Headers(Object.entries(req?.headers ?? {}).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : []))),
          ),
      }),
    ],
    callbacks: {
      // Only the user id and the session's id travel in the token; the session row, role and status
      // are read fresh on every request (getSessionUser), so ending a session takes effect at once.
      jwt: ({ token, user }) => {
        // `user` is there only at sign-in: the one moment a session row is created.
        if (user) token.sid = createSession(db, user.id, env.sessionMaxAgeSeconds * 1000);
        return token;
      },
      // The session id is a reference, not a credential (no cookie can be made for it without the
      // secret), so it may show in /api/auth/session; getSessionUser needs it to find the row.
      session: ({ session, token }) => ({ expires: session.expires, user: { id: token.sub }, sid: token.sid }) as Session,
    },
    events: {
      // Runs on the server with the decoded cookie, so the row goes even if the browser kept a copy.
      signOut: ({ token }) => {
        if (typeof token?.sid === 'string') endSession(db, token.sid);
      },
    },
  };
}
