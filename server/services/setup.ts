import 'server-only';
import { setupSchema } from '@/lib/schemas/auth';
import { fieldErrors } from '@/lib/schemas/field-errors';
import type { ActionResult } from '@/lib/action-result';
import { getEnv } from '../env';
import { getDb } from '../db/database';
import { countUsers, insertFirstAdmin } from '../db/users';
import { hashPassword } from '../auth/password';
import { checkSetupToken, destroySetupToken } from '../auth/setup-token';

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
  if (!isSetupNeeded()) return CLOSED;
  const { dataDir } = getEnv();
  if (!checkSetupToken(dataDir, parsed.data.token)) {
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
  return { ok: true, data: { email: created.email } };
}
