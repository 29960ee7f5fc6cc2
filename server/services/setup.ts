import 'server-only';
import { setupSchema } from '@/lib/schemas/auth';
import { fieldErrors } from '@/lib/schemas/field-errors';
import type { ActionResult } from '@/lib/action-result';
import type { Runtime } from '../runtime';
import type { Caller } from '../auth/caller';
import { countUsers, insertFirstAdmin } from '../db/users';
import { hashPassword } from '../auth/password';
import { checkSetupToken, destroySetupToken } from '../auth/setup-token';
import { appendAudit, appendRefusal } from '../db/audit-log';
import { throttlePolicies } from '../auth/throttle';

export function isSetupNeeded(rt: Runtime): boolean {
  return countUsers(rt.db) === 0;
}

const CLOSED = { ok: false as const, code: 'SETUP_CLOSED', message: 'This console is already set up. Sign in instead.' };

/**
 * Claims the console: the only way to create a user while none exists. Nobody is signed in yet
 * (the caller's user is null): the setup token is the credential, and only the caller's address is used.
 */
export async function createFirstAdmin(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<{ email: string }>> {
  const parsed = setupSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
  }
  const { sourceIp } = caller;
  const target = parsed.data.email;
  // Nobody is signed in here and nothing locks a caller out, so refusals from one address are
  // counted on the first of their burst rather than each adding a row.
  const refusal = (message: string) =>
    appendRefusal(rt.db, { action: 'setup.first_admin', target, sourceIp, outcome: 'failure', message }, throttlePolicies(rt.env.signIn).account.lockoutMs);
  if (!isSetupNeeded(rt)) {
    refusal('setup already done');
    return CLOSED;
  }
  const { dataDir } = rt.env;
  if (!checkSetupToken(dataDir, parsed.data.token)) {
    refusal('wrong setup token');
    return {
      ok: false,
      code: 'BAD_SETUP_TOKEN',
      message: 'That setup token is not valid. Copy it from the server log or the setup-token file.',
      fieldErrors: { token: ['Not a valid setup token'] },
    };
  }
  const { email, name, password } = parsed.data;
  const created = insertFirstAdmin(rt.db, { email, name, passwordHash: await hashPassword(password) });
  if (!created) return CLOSED;
  destroySetupToken(dataDir);
  appendAudit(rt.db, { action: 'setup.first_admin', target, sourceIp, outcome: 'success', message: 'first admin created', actor: { id: created.id, email: created.email } });
  return { ok: true, data: { email: created.email } };
}
