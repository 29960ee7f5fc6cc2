import 'server-only';
import crypto from 'node:crypto';
import type { ActionResult } from '@/lib/action-result';
import type { ApiTokenDto, CreatedApiTokenDto } from '@/lib/dto/api-tokens';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { createApiTokenSchema, revokeApiTokenSchema } from '@/lib/schemas/api-tokens';
import type { Runtime } from '../runtime';
import { appendAudit } from '../db/audit-log';
import { insertApiToken, listApiTokens, revokeApiToken } from '../db/api-tokens';
import { generateApiToken } from '../auth/api-tokens';
import { hasRole } from '../auth/roles';
import { authorize, requireRole, type Caller } from '../auth/caller';
import { adminTotpRequired, mustEnrolTotp } from '../auth/totp-policy';

const DAY_MS = 86_400_000;

export function listTokens(rt: Runtime, caller: Caller): ApiTokenDto[] {
  requireRole(caller, 'admin');
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const { db } = rt;
  return listApiTokens(db).map((t) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    role: t.role,
    createdBy: t.creatorEmail,
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    creatorMustEnrolTotp: mustEnrolTotp(db, t.creator),
  }));
}

/** Whether admins must use two-step sign-in, which their tokens are held to as well; for the tokens page. */
export function tokenTotpPolicy(rt: Runtime, caller: Caller): { adminTotpRequired: boolean } {
  requireRole(caller, 'admin');
  return { adminTotpRequired: adminTotpRequired(rt.db) };
}

/** Admin only. The secret is returned once and never stored or audited; only its hash is kept. */
export function createToken(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<CreatedApiTokenDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const { sourceIp } = caller;
    const parsed = createApiTokenSchema.safeParse(raw);
    if (!parsed.success) {
      appendAudit(rt.db, { actor, action: 'api_tokens.create', sourceIp, outcome: 'failure', message: 'invalid input' });
      return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
    }
    const { name, role, expiresInDays } = parsed.data;
    if (!hasRole(actor, role)) {
      appendAudit(rt.db, { actor, action: 'api_tokens.create', target: name, params: { role }, sourceIp, outcome: 'denied', message: 'role above the creator’s' });
      return { ok: false, code: 'FORBIDDEN', message: 'A token cannot have a higher role than yours.', fieldErrors: { role: ['Above your role'] } };
    }
    const now = rt.clock.now();
    const { token, prefix, tokenHash } = generateApiToken();
    const id = crypto.randomUUID();
    insertApiToken(rt.db, {
      id,
      name,
      prefix,
      tokenHash,
      role,
      createdBy: actor.id,
      createdAt: now,
      expiresAt: expiresInDays === null ? null : new Date(now.getTime() + expiresInDays * DAY_MS),
      lastUsedAt: null,
      revokedAt: null,
    });
    appendAudit(rt.db, { actor, action: 'api_tokens.create', target: id, params: { name, role, expiresInDays, prefix }, sourceIp, outcome: 'success', message: 'created' });
    return { ok: true, data: { id, name, token } };
  });
}

export function revokeToken(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<undefined>> {
  return authorize(caller, 'admin', async (actor) => {
    const { sourceIp } = caller;
    const parsed = revokeApiTokenSchema.safeParse(raw);
    if (!parsed.success) {
      appendAudit(rt.db, { actor, action: 'api_tokens.revoke', sourceIp, outcome: 'failure', message: 'invalid input' });
      return { ok: false, code: 'INVALID_INPUT', message: 'Check the request.', fieldErrors: fieldErrors(parsed.error) };
    }
    const outcome = revokeApiToken(rt.db, parsed.data.id, rt.clock.now());
    appendAudit(rt.db, { actor, action: 'api_tokens.revoke', target: parsed.data.id, sourceIp, outcome: outcome === 'ok' ? 'success' : 'failure', message: outcome });
    if (outcome === 'not-found') return { ok: false, code: 'NOT_FOUND', message: 'That token no longer exists.' };
    if (outcome === 'already-revoked') return { ok: false, code: 'ALREADY_REVOKED', message: 'That token was already revoked.' };
    return { ok: true, data: undefined };
  });
}
