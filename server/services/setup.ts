import 'server-only';
import { setupSchema } from '@/lib/schemas/auth';
import { fieldErrors } from '@/lib/schemas/field-errors';
import type { ActionResult } from '@/lib/action-result';
import { getEnv } from '../env';
import { getDb } from '../db/database';
import { countUsers, insertFirstAdmin } from '../db/users';
import { hashPassword } from '../auth/password';
import { checkSetupToken, destroySetupToken } from '../auth/setup-token';
import { appendAudit, appendRefusal } from '../db/audit-log';
import { requestIp } from '../auth/request-ip';
import { throttlePolicies } from '../auth/throttle';

export function isSetupNeeded(): boolean {
  return countUsers(getDb()) === 0;
}

const CLOSED = { ok: false as const, code: 'SETUP_CLOSED', message: 'This console is already set up. Sign in instead.' };

/** Claims the console: the only way to create a user while none exists. */
export async function createFirstAdmin(raw: unknown): Promise<ActionResult<{ email: string }>> {
  const parsed = setupSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
  }
  const sourceIp = await requestIp();
  const target = parsed.data.email;
  // Nobody is signed in here and nothing locks a caller out, so refusals from one address are
  // counted on the first of their burst rather than each adding a row.
  const refusal = (message: string) =>
    appendRefusal(getDb(), { action: 'setup.first_admin', target, sourceIp, outcome: 'failure', message }, throttlePolicies(getEnv().signIn).account.lockoutMs);
  if (!isSetupNeeded()) {
    refusal('setup already done');
    return CLOSED;
  }
  const { dataDir } = getEnv();
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
  const created = insertFirstAdmin(getDb(), { email, name, passwordHash: await hashPassword(password) });
  if (!created) return CLOSED;
  destroySetupToken(dataDir);
  appendAudit(getDb(), { action: 'setup.first_admin', target, sourceIp, outcome: 'success', message: 'first admin created', actor: { id: created.id, email: created.email } });
  return { ok: true, data: { email: created.email } };
}
