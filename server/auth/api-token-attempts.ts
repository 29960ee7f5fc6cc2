import 'server-only';
import type { Db } from '../db/client';
import { appendAudit, appendRefusal, tokenActorEmail, type AuditEntry } from '../db/audit-log';
import { authenticateApiToken, type TokenCaller, type TokenFailure } from './api-tokens';
import { apiTokenAddressKey, lockedUntil, recordFailure, type ThrottlePolicy } from './throttle';

// Bearer attempts as sign-in treats passwords: every refused token is audited, and an address that
// keeps presenting bad ones is locked out for a while without its tokens even being looked at.
// A token that works is not audited per request (that would flood the trail); what it changes is,
// by the services.

export const API_TOKEN_AUDIT_ACTION = 'auth.api_token';

export type BearerAttempt =
  | { ok: true; caller: TokenCaller }
  | { ok: false; status: 401 }
  | { ok: false; status: 429; retryAfterSeconds: number };

const REASON: Record<TokenFailure['reason'], string> = {
  malformed: 'malformed authorization header',
  unknown: 'unknown token',
  revoked: 'revoked token',
  expired: 'expired token',
  'creator-disabled': 'token creator disabled',
};

/** The audit row of a refused token: whose and which when it exists, the reason, never the secret or its hash. */
export function failedAttemptAudit(failure: TokenFailure, sourceIp: string, nowLocked: boolean): AuditEntry {
  const known = 'token' in failure ? failure : null;
  return {
    action: API_TOKEN_AUDIT_ACTION,
    actor: known ? { id: known.creator.id, email: tokenActorEmail(known.creator.email, known.token.name) } : null,
    target: known?.token.id ?? null,
    params: known ? { name: known.token.name, prefix: known.token.prefix } : undefined,
    sourceIp,
    outcome: 'failure',
    message: nowLocked ? `${REASON[failure.reason]}; address now locked out` : REASON[failure.reason],
  };
}

/** Whole seconds until the lockout ends, at least 1, for Retry-After. */
export function retryAfterSeconds(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

/** Checks an Authorization header from sourceIp under the per-address policy, auditing every refusal. */
export function attemptBearer(db: Db, authorization: string, sourceIp: string, policy: ThrottlePolicy, now = new Date()): BearerAttempt {
  const key = apiTokenAddressKey(sourceIp);
  const until = lockedUntil(db, key, now.getTime());
  if (until) {
    // Counted on the row of the lockout's first refusal rather than a row each: a client that keeps
    // calling with a bad token would otherwise grow the append-only trail by a row a request.
    appendRefusal(db, { action: API_TOKEN_AUDIT_ACTION, sourceIp, outcome: 'denied', message: 'address locked out after repeated failures; token not checked' }, policy.lockoutMs, now);
    return { ok: false, status: 429, retryAfterSeconds: retryAfterSeconds(until, now) };
  }
  const check = authenticateApiToken(db, authorization, now);
  if (check.ok) return check;
  const nowLocked = recordFailure(db, key, policy, now.getTime());
  appendAudit(db, failedAttemptAudit(check, sourceIp, nowLocked), now);
  return { ok: false, status: 401 };
}
