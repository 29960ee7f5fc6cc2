import { z } from 'zod';
import { environmentIdSchema } from './environments';

// A user's role in one environment (docs/environments.md#roles per environment). Only viewer and
// operator can be granted: admin is console-wide (users, audit, tokens and environments are global).

export const GRANT_ROLES = ['viewer', 'operator'] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

const grant = {
  environmentId: environmentIdSchema,
  /** null removes the grant: the user acts with their console-wide role there again. */
  role: z.enum(GRANT_ROLES).nullable(),
};

export const setEnvironmentRoleSchema = z.strictObject({ userId: z.string().uuid('Unknown user'), ...grant });
export type SetEnvironmentRoleInput = z.infer<typeof setEnvironmentRoleSchema>;

/** The API's PUT body: the user is in the path. */
export const environmentRoleBodySchema = z.strictObject(grant);

export const userIdSchema = z.string().uuid('Unknown user');
