import type { Role } from '../roles';

export type ApiTokenDto = {
  id: string;
  name: string;
  /** The first characters of the token, to tell tokens apart; never the whole secret. */
  prefix: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** Refused (403) while "two-step sign-in for admins" holds its creator, an admin without it. */
  creatorMustEnrolTotp: boolean;
};

/** The answer to a create: the only time the secret leaves the server. */
export type CreatedApiTokenDto = { id: string; name: string; token: string };
