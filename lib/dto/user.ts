import type { Role } from '../roles';

export type SessionUser = { id: string; email: string; name: string; role: Role };

export type UserDto = SessionUser & { disabled: boolean };
