import type { Role } from '../roles';

export type SessionUser = { id: string; email: string; name: string; role: Role };

export type UserDto = SessionUser & { disabled: boolean };

export type AuditEventDto = {
  id: number;
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  params: string | null;
  sourceIp: string | null;
  outcome: 'success' | 'failure' | 'denied';
  message: string | null;
};
