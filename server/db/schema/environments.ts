import { sqliteTable, text, integer, uniqueIndex } from 'drizzle-orm/sqlite-core';

// The remote environments (docs/environments.md): a Docker Engine and a deployment directory on
// another host, reached over SSH. The local environment (the console's own socket and DEPLOY_DIR)
// is implicit, never a row. The private key is not here: it is a 0600 file under
// $DATA_DIR/environments/ (server/environments/key-store.ts), so a copy of the database leaks no key.

export const environments = sqliteTable(
  'environments',
  {
    /** A slug made from the name, unique; 'local' is reserved. */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    colour: text('colour').notNull(),
    kind: text('kind', { enum: ['ssh', 'tcp'] }).notNull(),
    /**
     * A 'tcp' row (Docker over TLS, docs/environments.md#endpoints) reuses these columns: no user
     * (''), the engine's host and port, deploy_dir the project directory the console keeps for it
     * under $DATA_DIR, and the trusted CA's fingerprint with 'x509-ca' as the host key; its
     * certificates and key are a 0600 file like the SSH key. No migration: kind is plain text.
     */
    sshUser: text('ssh_user').notNull(),
    sshHost: text('ssh_host').notNull(),
    sshPort: integer('ssh_port').notNull(),
    deployDir: text('deploy_dir').notNull(),
    /** The host key the admin confirmed on first contact; every connection after is checked against it. */
    hostKeyAlgorithm: text('host_key_algorithm').notNull(),
    hostKeyFingerprint: text('host_key_fingerprint').notNull(),
    /** Marked production: every page of it carries a badge that cannot be missed. */
    production: integer('production', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    createdBy: text('created_by'),
  },
  (t) => [
    uniqueIndex('environments_name_unique').on(t.name),
    // Two environments on one host and directory would deploy over each other (ENVIRONMENT_DUPLICATE).
    uniqueIndex('environments_target_unique').on(t.sshHost, t.sshPort, t.deployDir),
  ],
);

/**
 * A user's role in one environment ('local' or an environments row's id), instead of their
 * console-wide role there: operator on staging, viewer on production. Users, audit and tokens stay
 * global; an admin is admin everywhere.
 */
export const environmentRoles = sqliteTable(
  'environment_roles',
  {
    userId: text('user_id').notNull(),
    environmentId: text('environment_id').notNull(),
    role: text('role', { enum: ['viewer', 'operator'] }).notNull(),
    grantedAt: integer('granted_at', { mode: 'timestamp_ms' }).notNull(),
    grantedBy: text('granted_by'),
  },
  (t) => [uniqueIndex('environment_roles_user_environment').on(t.userId, t.environmentId)],
);
