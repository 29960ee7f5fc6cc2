import type { Role } from '@/lib/roles';

export type { Role };

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function hasRole(user: { role: Role }, needed: Role): boolean {
  return RANK[user.role] >= RANK[needed];
}
