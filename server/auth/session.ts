import 'server-only';
import { getServerSession } from 'next-auth';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { z } from 'zod';
import type { SessionUser } from '@/lib/dto/user';
import { countUsers } from '../db/users';
import { findSessionUser } from '../db/sessions';
import { runtime, type Runtime } from '../runtime';
import { forget, runtimeFor } from '../environment-runtimes';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import { LOCAL_ENVIRONMENT_ID, environmentIdSchema } from '@/lib/schemas/environments';
import { userInEnvironment } from './environment-role';
import type { Caller, GateOptions } from './caller';
import { authOptions } from './options';
import { attemptBearer } from './api-token-attempts';
import { tokenAuthorization } from './api-tokens';
import { clientIp } from './client-ip';
import { sameOriginRequest } from './origin-check';
import { requestIp } from './request-ip';
import { hasRole, type Role } from './roles';
import { throttlePolicies } from './throttle';
import { mustEnrolTotp } from './totp-policy';

const sessionShape = z.object({ user: z.object({ id: z.string().min(1) }), sid: z.string().min(1) });

// The edge: the only place that reads the request's cookie and headers. What it finds goes to the
// services as a `Caller` (./caller.ts), which decide what that caller may do.

/**
 * The signed-in, enabled user, or null. Reads the session row and the account on every request
 * (one lookup), so an ended session or a disabled user is out at once.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  return (await cookieSession())?.user ?? null;
}

/** The caller of a server action: the cookie's session (or none), the source address, the session id. */
export async function actionCaller(): Promise<Caller> {
  const session = await cookieSession();
  return { user: session?.user ?? null, sourceIp: await requestIp(), sessionId: session?.sid ?? null };
}

// Once per rendered request: a page's gate and each service it calls all ask. React's cache lives
// only while a page renders; actions and route handlers read the session afresh on every call.
const cookieSession = cache(async (): Promise<{ user: SessionUser; sid: string } | null> => {
  const parsed = sessionShape.safeParse(await getServerSession(authOptions()));
  if (!parsed.success) return null;
  const { db } = runtime();
  const row = findSessionUser(db, parsed.data.sid, parsed.data.user.id);
  if (!row || row.disabledAt) return null;
  const user: SessionUser = { id: row.id, email: row.email, name: row.name, role: row.role };
  return { user: mustEnrolTotp(db, row) ? { ...user, mustEnrolTotp: true } : user, sid: parsed.data.sid };
});

/** Where an admin goes while "require two-step sign-in for admins" is on and they have none yet. */
export const TOTP_ENROLMENT_PATH = '/two-factor';

/** For pages and layouts: sends the visitor to setup or sign-in instead of rendering anything. */
export async function requirePageUser(role: Role = 'viewer', opts: GateOptions = {}): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(countUsers(runtime().db) === 0 ? '/setup' : '/login');
  if (user.mustEnrolTotp && !opts.duringTotpEnrolment) redirect(TOTP_ENROLMENT_PATH);
  if (!hasRole(user, role)) redirect('/');
  return user;
}

/** For pages that pass their viewer on to a service: the gate of requirePageUser, then the caller. */
export async function requirePageCaller(role: Role = 'viewer', opts: GateOptions = {}): Promise<Caller & { user: SessionUser }> {
  const user = await requirePageUser(role, opts);
  return { ...(await actionCaller()), user };
}

/**
 * For route handlers: a JSON 401/403 instead of content. Under /api/v1 accepts
 * `Authorization: Bearer <API token>`; otherwise (and for any other scheme, such as a proxy's Basic)
 * the session cookie decides. Every handler passes its request: a cookie-authenticated call of an
 * unsafe method must come from the console's own origin (CSRF), and leaving the request out must not
 * be a way to skip that; a bearer call carries no ambient credential. Failed bearer attempts are
 * audited and throttled per source address (429 with Retry-After while locked out).
 */
export async function withApiUser(role: Role, handler: (caller: Caller, rt: Runtime) => Promise<Response>, request: Request): Promise<Response> {
  const h = await headers();
  const chosen = environmentIdSchema.safeParse(new URL(request.url).searchParams.get('env') ?? LOCAL_ENVIRONMENT_ID);
  if (!chosen.success) return Response.json({ code: 'INVALID_ENVIRONMENT', message: 'The env parameter is not an environment id.' }, { status: 400 });
  const authorization = tokenAuthorization(h.get('authorization'), new URL(request.url).pathname);
  const { env, db } = runtime();
  const sourceIp = clientIp(h, env.trustedProxies);
  let user: SessionUser | null;
  let sessionId: string | null = null;
  if (authorization !== null) {
    const attempt = attemptBearer(db, authorization, sourceIp, throttlePolicies(env.signIn).address);
    if (!attempt.ok && attempt.status === 429) {
      return Response.json(
        { code: 'TOO_MANY_ATTEMPTS', message: `Too many failed API token attempts from this address. Try again in ${attempt.retryAfterSeconds} s.` },
        { status: 429, headers: { 'Retry-After': String(attempt.retryAfterSeconds) } },
      );
    }
    if (!attempt.ok) {
      return Response.json({ code: 'INVALID_TOKEN', message: 'The API token is unknown, expired or revoked.' }, { status: 401 });
    }
    if (attempt.caller.mustEnrolTotp) {
      return Response.json(
        {
          code: 'TOTP_ENROLMENT_REQUIRED',
          message: 'This token acts for an admin who has not set up two-step sign-in, which this console requires of admins: their tokens are refused until they do.',
        },
        { status: 403 },
      );
    }
    user = attempt.caller;
  } else {
    const session = await cookieSession();
    user = session?.user ?? null;
    sessionId = session?.sid ?? null;
    if (!user) return Response.json({ code: 'UNAUTHENTICATED', message: 'Sign in first.' }, { status: 401 });
    if (user.mustEnrolTotp) {
      return Response.json({ code: 'TOTP_ENROLMENT_REQUIRED', message: 'Set up two-step sign-in first: admins must use it here.' }, { status: 403 });
    }
    const sameOrigin = sameOriginRequest({
      method: request.method,
      origin: h.get('origin'),
      secFetchSite: h.get('sec-fetch-site'),
      host: h.get('host'),
      publicUrl: env.publicUrl,
    });
    if (!sameOrigin) {
      return Response.json({ code: 'BAD_ORIGIN', message: 'Cross-site request refused: send it from the console or use an API token.' }, { status: 403 });
    }
  }
  let rt: Runtime;
  try {
    rt = await runtimeFor(chosen.data);
  } catch (err) {
    if (err instanceof CodedError) return Response.json({ code: err.code, message: err.message }, { status: err.code === 'ENVIRONMENT_NOT_FOUND' ? 404 : 503 });
    throw err;
  }
  // The role that counts is the caller's in the chosen environment (server/auth/environment-role.ts).
  user = userInEnvironment(db, user, rt.environment.id);
  if (!hasRole(user, role)) {
    return Response.json({ code: 'FORBIDDEN', message: `Your role in ${rt.environment.name} does not allow this.` }, { status: 403 });
  }
  return handler({ user, sourceIp, sessionId }, rt);
}

/**
 * For an edge that spans environments (the fleet), and for one that removed an environment, whose
 * kept runtime (watch, backup scheduler, SSH connection) must stop: app/ reaches
 * environment-runtimes through here.
 */
export { runtimeFor, forget as closeEnvironmentRuntime };

/**
 * For an edge that added an environment: its runtime (health watch, alerts, scheduled backups) starts
 * now, as every environment's does at start-up, instead of on its first visit. Never waits for the host.
 */
export function startEnvironmentRuntime(id: string): void {
  runtimeFor(id).catch((err: Error) => console.log(`[tale-console] Could not start environment ${id}: ${err.message}`));
}

/**
 * An environment's runtime from an id given by a page's search (`?env=`), an action's bound argument
 * or a promotion's source; 'local' when absent, ENVIRONMENT_NOT_FOUND when there is none.
 */
export async function chosenRuntime(raw: unknown): Promise<Runtime> {
  const parsed = environmentIdSchema.safeParse(raw ?? LOCAL_ENVIRONMENT_ID);
  if (!parsed.success) throw new CodedError('ENVIRONMENT_NOT_FOUND', 'There is no such environment.');
  return runtimeFor(parsed.data);
}

/**
 * For pages: the gate of requirePageUser in the environment the URL names (`?env=<id>`), then the
 * caller as they act there and that environment's runtime. An unknown environment is a 404-like
 * refusal the page's error boundary shows.
 */
export async function requirePageContext(
  search: Record<string, string | string[] | undefined> | undefined,
  role: Role = 'viewer',
  opts: GateOptions = {},
): Promise<{ rt: Runtime; user: SessionUser; caller: Caller & { user: SessionUser } }> {
  const signedIn = await requirePageUser('viewer', opts);
  const raw = search?.env;
  const rt = await chosenRuntime(Array.isArray(raw) ? raw[0] : raw);
  const user = userInEnvironment(rt.db, signedIn, rt.environment.id);
  if (!hasRole(user, role)) redirect(rt.environment.id === LOCAL_ENVIRONMENT_ID ? '/' : `/?env=${rt.environment.id}`);
  return { rt, user, caller: { ...(await actionCaller()), user } };
}

/**
 * For actions bound to an environment by their page (`action.bind(null, rt.environment.id)`):
 * runs `fn` with that environment's runtime and the caller as they act there, or answers why not.
 */
export async function inEnvironment<T>(env: unknown, fn: (rt: Runtime, caller: Caller) => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  const caller = await actionCaller();
  // Signed out is said first: an anonymous caller learns nothing about which environments exist.
  if (!caller.user) return fn(runtime(), caller);
  let rt: Runtime;
  try {
    rt = await chosenRuntime(env);
  } catch (err) {
    if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
  return fn(rt, { ...caller, user: userInEnvironment(rt.db, caller.user, rt.environment.id) });
}
