import 'server-only';
import { z } from 'zod';
import type { Db } from '../db/client';
import { readSetting } from '../db/console-settings';
import type { UserRow } from '../db/schema/users';

// "Require two-step sign-in for admins": an admin switch in console_settings. While it is on, an
// admin without a confirmed second factor may do nothing but enrol one.

export const REQUIRE_ADMIN_TOTP = 'auth.require_admin_totp';

export function adminTotpRequired(db: Db): boolean {
  return readSetting(db, REQUIRE_ADMIN_TOTP, z.boolean(), false);
}

export function mustEnrolTotp(db: Db, user: Pick<UserRow, 'role' | 'totpSecret'>): boolean {
  return user.role === 'admin' && !user.totpSecret && adminTotpRequired(db);
}
