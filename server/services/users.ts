import 'server-only';
import { asc } from 'drizzle-orm';
import type { UserDto } from '@/lib/dto/user';
import { getDb } from '../db/database';
import { users } from '../db/schema/users';
import { requirePageUser } from '../auth/session';

export async function listUsers(): Promise<UserDto[]> {
  await requirePageUser('admin');
  return getDb()
    .select()
    .from(users)
    .orderBy(asc(users.createdAt))
    .all()
    .map((u) => ({ id: u.id, email: u.email, name: u.name, role: u.role, disabled: u.disabledAt !== null }));
}
