import 'server-only';
import crypto from 'node:crypto';
import type { SessionUser } from '@/lib/dto/user';
import type { Db } from '../db/client';
import { findApiTokenByHash, markApiTokenUsed } from '../db/api-tokens';
import { tokenActorEmail } from '../db/audit-log';
import { hasRole } from './roles';
import { mustEnrolTotp } from './totp-policy';

// Bearer tokens for CI/CD. The secret is 32 random bytes behind a recognisable prefix (so secret
// scanners and people can tell what leaked); only its SHA-256 is stored, and a token is found by
// looking that hash up, so no secret is ever compared byte by byte in JavaScript.

const PREFIX = 'tale_';
const TOKEN = /^tale_[A-Za-z0-9_-]{43}$/;
/** Characters of the token kept in clear for lists: the prefix and a few random ones. */
const SHOWN = PREFIX.length + 6;
/** last_used_at is a hint for the list, not a log: one write a minute per token is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiToken(token: string): string {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

export function generateApiToken(): { token: string; prefix: string; tokenHash: string } {
  const token = `${PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  return { token, prefix: token.slice(0, SHOWN), tokenHash: hashApiToken(token) };
}

/** A caller authenticated by a token: its creator, acting with the token's role. */
export type TokenCaller = SessionUser & { token: { id: string; name: string } };

/**
 * A refused token. When the token exists, which one and whose it is, for the audit trail (never
 * the secret or its hash).
 */
export type TokenFailure =
  | { ok: false; reason: 'malformed' | 'unknown' }
  | {
      ok: false;
      reason: 'revoked' | 'expired' | 'creator-disabled';
      token: { id: string; name: string; prefix: string };
      creator: { id: string; email: string };
    };

export type TokenCheck = { ok: true; caller: TokenCaller } | TokenFailure;

/**
 * The Authorization header to check as an API token, or null when the cookie decides: tokens are
 * for the HTTP API under /api/v1 only, and only the Bearer scheme (any case, RFC 7235) is a token
 * attempt. Elsewhere, or with another scheme (a reverse proxy's Basic), the header neither replaces
 * a valid session cookie nor counts toward the token lockout.
 */
export function tokenAuthorization(header: string | null, pathname: string): string | null {
  if (header === null || !pathname.startsWith('/api/v1/')) return null;
  return /^bearer(?:[ ]|$)/i.test(header) ? header : null;
}

/** The token of an `Authorization: Bearer <token>` header, or null when the header is anything else. */
export function bearerToken(header: string): string | null {
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  return m && TOKEN.test(m[1]!) ? m[1]! : null;
}

/**
 * Checks a token against the database now. The token acts as its creator, never with more than the
 * creator's current role, and stops working when the creator is disabled. The creator's email
 * carries the token's name so the audit trail and the history say which token acted.
 */
export function authenticateApiToken(db: Db, authorization: string, now = new Date()): TokenCheck {
  const token = bearerToken(authorization);
  if (!token) return { ok: false, reason: 'malformed' };
  const found = findApiTokenByHash(db, hashApiToken(token));
  if (!found) return { ok: false, reason: 'unknown' };
  const { token: row, creator } = found;
  const refuse = (reason: 'revoked' | 'expired' | 'creator-disabled'): TokenFailure => ({
    ok: false,
    reason,
    token: { id: row.id, name: row.name, prefix: row.prefix },
    creator: { id: creator.id, email: creator.email },
  });
  if (row.revokedAt) return refuse('revoked');
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return refuse('expired');
  if (creator.disabledAt) return refuse('creator-disabled');
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) markApiTokenUsed(db, row.id, now);
  const role = hasRole(creator, row.role) ? row.role : creator.role;
  const caller: TokenCaller = { id: creator.id, email: tokenActorEmail(creator.email, row.name), name: creator.name, role, token: { id: row.id, name: row.name } };
  // The token is genuine, but the admin it acts for is held to "two-step sign-in for admins" and
  // has none: they may not act in the browser, so not through their tokens either (whatever the token's role).
  return { ok: true, caller: mustEnrolTotp(db, creator) ? { ...caller, mustEnrolTotp: true } : caller };
}
