import 'server-only';
import { desc, eq } from 'drizzle-orm';
import type { Db } from './client';
import { apiTokens, type ApiTokenRow } from './schema/api-tokens';
import { users, type UserRow } from './schema/users';

export function insertApiToken(db: Db, row: ApiTokenRow): void {
  db.insert(apiTokens).values(row).run();
}

/** Every token, newest first, with what the list shows of its creator (never the TOTP secret itself). */
export function listApiTokens(db: Db): (ApiTokenRow & { creatorEmail: string; creator: Pick<UserRow, 'role'> & { totpSecret: string | null } })[] {
  return db
    .select({ token: apiTokens, creatorEmail: users.email, creatorRole: users.role, creatorTotp: users.totpSecret })
    .from(apiTokens)
    .innerJoin(users, eq(apiTokens.createdBy, users.id))
    .orderBy(desc(apiTokens.createdAt))
    .all()
    .map((r) => ({ ...r.token, creatorEmail: r.creatorEmail, creator: { role: r.creatorRole, totpSecret: r.creatorTotp } }));
}

export function findApiToken(db: Db, id: string): ApiTokenRow | undefined {
  return db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
}

/** The token with this hash and its creator, whose current state decides whether it still works. */
export function findApiTokenByHash(db: Db, tokenHash: string): { token: ApiTokenRow; creator: UserRow } | undefined {
  return db.select({ token: apiTokens, creator: users }).from(apiTokens).innerJoin(users, eq(apiTokens.createdBy, users.id)).where(eq(apiTokens.tokenHash, tokenHash)).get();
}

export function markApiTokenUsed(db: Db, id: string, at: Date): void {
  db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id)).run();
}

/** Revoking twice keeps the first time. */
export function revokeApiToken(db: Db, id: string, at: Date): 'ok' | 'not-found' | 'already-revoked' {
  const row = findApiToken(db, id);
  if (!row) return 'not-found';
  if (row.revokedAt) return 'already-revoked';
  db.update(apiTokens).set({ revokedAt: at }).where(eq(apiTokens.id, id)).run();
  return 'ok';
}
