import { z } from 'zod';

// Inputs of the external-database wizard. Everything here ends up in a `pg` connection config or a
// quoted SQL identifier, never in a shell or a YAML/`.env` line without further encoding.

export const SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Role and database names: lower-case SQL identifiers that need no quoting anywhere (not even in a URL). */
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
export const sqlIdentifierSchema = z.string().trim().regex(SQL_IDENTIFIER, 'Use lower-case letters, digits and _ (at most 63, not starting with a digit)');

// A hostname, an IPv4 address or a bracket-less IPv6 address; nothing a URL or libpq would read differently.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]{2,45})$/;
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const PEM_CERT = /^\s*-----BEGIN CERTIFICATE-----[\sA-Za-z0-9+/=]+-----END CERTIFICATE-----[\sA-Za-z0-9+/=-]*$/;

const caCertSchema = z.string().max(65_536).regex(PEM_CERT, 'Paste a PEM certificate (-----BEGIN CERTIFICATE-----)').optional();

export const connectionSchema = z
  .strictObject({
    kind: z.literal('fields').default('fields'),
    host: z.string().trim().min(1, 'Enter the host').max(253).regex(HOST, 'Enter a hostname or IP address'),
    port: z.coerce.number().int().min(1, 'Port 1 to 65535').max(65535, 'Port 1 to 65535'),
    user: z.string().trim().regex(/^[A-Za-z0-9_.@-]{1,63}$/, 'Enter the admin user name'),
    password: z.string().max(1024).regex(NO_CONTROL, 'The password must not contain control characters'),
    database: z.string().trim().regex(/^[A-Za-z0-9_-]{1,63}$/, 'Enter the database to connect to (usually postgres)').default('postgres'),
    sslMode: z.enum(SSL_MODES),
    caCert: caCertSchema,
  })
  .superRefine((v, ctx) => {
    if (v.sslMode === 'verify-full' && !v.caCert) ctx.addIssue({ code: 'custom', path: ['caCert'], message: 'verify-full needs the CA certificate' });
  });
export type ConnectionInput = z.output<typeof connectionSchema>;

/** A pasted URL instead of the fields; parsed strictly on the server. */
export const connectionUrlSchema = z.strictObject({
  kind: z.literal('url'),
  url: z.string().trim().min(1, 'Paste a postgresql:// URL').max(4096).regex(NO_CONTROL, 'The URL must be on one line'),
  caCert: caCertSchema,
});

// The discriminator keeps zod's field errors on the fields (a plain union reports only "invalid input").
export const adminConnectionSchema = z.discriminatedUnion('kind', [connectionSchema, connectionUrlSchema]);
export type AdminConnectionInput = z.input<typeof adminConnectionSchema>;

export const prepareSchema = z.strictObject({
  connection: adminConnectionSchema,
  role: sqlIdentifierSchema.default('tale'),
  /** Set a new password for a role that already exists (otherwise its password is left alone). */
  rotatePassword: z.boolean().default(false),
});

export const configureSchema = z.strictObject({
  connection: adminConnectionSchema,
  role: sqlIdentifierSchema.default('tale'),
  /** The password prepare just set; without it, the one in .env's URLs for the same role is kept. */
  rolePassword: z.string().min(16, 'The service password is too short').max(256).regex(NO_CONTROL).optional(),
  /** False previews the diff without writing. */
  apply: z.boolean(),
});

export const verifySchema = z.strictObject({
  caCert: caCertSchema,
});

export const bundledSchema = z.strictObject({ confirm: z.literal(true, 'Confirm going back to the bundled database') });

/** Copy the bundled db's data onto the prepared server (between Prepare and Configure). */
export const copySchema = z.strictObject({
  connection: adminConnectionSchema,
  role: sqlIdentifierSchema.default('tale'),
  rolePassword: z.string().min(16, 'The service password is too short').max(256).regex(NO_CONTROL).optional(),
  confirm: z.literal(true, 'Confirm the copy'),
});

export const copyStatusSchema = z.strictObject({ id: z.uuid() });

/** Remove the bundled db's data volume: the admin types the volume's name. */
export const removeBundledVolumeSchema = z.strictObject({ confirm: z.string().trim().min(1, 'Type the volume name').max(200) });
