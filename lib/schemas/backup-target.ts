import { z } from 'zod';

// Where the backup repository lives (docs/backups.md#targets). Every part that reaches restic's
// `sftp.command` (which restic splits on spaces itself) or its repository string is restricted to
// characters that need no quoting, so no value can add an argument or change the command.

/** An absolute path without spaces, quotes or `..` segments. */
const absolutePath = z
  .string()
  .trim()
  .max(400)
  .regex(/^\/[A-Za-z0-9._/-]*$/, 'An absolute path of letters, digits and . _ - /')
  .refine((p) => !p.split('/').includes('..'), 'No ".." in the path');

const host = z
  .string()
  .trim()
  .max(253)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'A host name or an IPv4 address');

const pem = (kind: string) =>
  z
    .string()
    .max(16 * 1024)
    .transform((s) => s.replace(/\r\n/g, '\n').trim() + '\n')
    .refine((s) => new RegExp(`^-----BEGIN ${kind}-----\\n[A-Za-z0-9+/=\\n:,-]+\\n-----END ${kind}-----\\n$`).test(s), `A PEM block (-----BEGIN ${kind.replace(/\[.*\]\*/, '')}…)`);

export const localTargetSchema = z.strictObject({
  type: z.literal('local'),
  path: absolutePath,
});

export const sftpTargetSchema = z.strictObject({
  type: z.literal('sftp'),
  user: z.string().trim().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, 'A user name of letters, digits and _ . -'),
  host,
  port: z.number().int().min(1).max(65535),
  path: absolutePath,
  /** OpenSSH or PEM private key without a passphrase. Omitted on a later save: the stored one is kept. */
  privateKey: pem('[A-Z ]*PRIVATE KEY').optional(),
});

export const s3TargetSchema = z.strictObject({
  type: z.literal('s3'),
  endpoint: z
    .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
    .max(300)
    .refine((u) => {
      const url = new URL(u);
      return !url.username && !url.password && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
    }, 'Only scheme, host and port: no path, user or query'),
  bucket: z.string().trim().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'A bucket name (3-63 lower-case letters, digits, . and -)'),
  prefix: z
    .string()
    .trim()
    .max(200)
    .regex(/^(?:[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*)?$/, 'Folders of letters, digits and . _ - separated by /, no leading /')
    .default(''),
  accessKeyId: z.string().trim().regex(/^[A-Za-z0-9+/=._-]{3,128}$/, 'An access key id'),
  /** Omitted on a later save: the stored one is kept. */
  secretAccessKey: z.string().min(1).max(256).optional(),
  /** The CA certificate of a server with a private CA (PEM), or omitted for the system's CAs. */
  caCertificate: pem('CERTIFICATE').optional(),
});

/** What an admin saves. */
export const backupTargetInputSchema = z.discriminatedUnion('type', [localTargetSchema, sftpTargetSchema, s3TargetSchema]);
export type BackupTargetInput = z.infer<typeof backupTargetInputSchema>;

/** A SHA-256 host key fingerprint as OpenSSH prints it. */
export const fingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'A SHA256 host key fingerprint');

/** "Test connection": for an SFTP target seen for the first time, the fingerprint the admin confirmed. */
export const testTargetInputSchema = z.strictObject({ acceptHostKey: fingerprintSchema.optional() });
