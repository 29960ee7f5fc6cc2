import type { Role } from '../roles';

export type SessionUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** An admin who must enrol a second factor (admins are required to) before doing anything else. */
  mustEnrolTotp?: true;
};

export type UserDto = Omit<SessionUser, 'mustEnrolTotp'> & { disabled: boolean; totp: boolean };

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
  /** How many more times the same refusal came from the same address, counted on this row instead of added. */
  repeatCount: number;
  /** When the last of those repeats came; null without repeats. */
  lastRepeatAt: string | null;
};

/** The signed-in user's second factor: on or off, and whether they must turn it on before anything else. */
export type TwoFactorStatusDto = { enabled: boolean; required: boolean };
