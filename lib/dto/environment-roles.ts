import type { Role } from '../roles';
import type { GrantRole } from '../schemas/environment-roles';

/** One environment as a user acts in it: their grant there (null: their console-wide role) and the role that counts. */
export type EnvironmentRoleDto = { environmentId: string; environmentName: string; grant: GrantRole | null; effective: Role };

/** A user's console-wide role and their role in every environment, the local one first. */
export type UserEnvironmentRolesDto = { userId: string; role: Role; environments: EnvironmentRoleDto[] };
