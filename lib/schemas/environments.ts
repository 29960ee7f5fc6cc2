import { z } from 'zod';

// An environment as an admin adds it (docs/environments.md). The SSH URL's form is checked again
// on the server by the transport's parser (parseSshUrl); here only what a form can say at once.

export const ENVIRONMENT_COLOURS = ['slate', 'blue', 'green', 'amber', 'red', 'violet'] as const;
export type EnvironmentColour = (typeof ENVIRONMENT_COLOURS)[number];

/** OpenSSH's SHA256 fingerprint: 32 bytes as base64 without padding. */
export const fingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'A fingerprint as OpenSSH prints it (SHA256:…)');

const scanFields = {
  name: z
    .string()
    .trim()
    .min(1, 'A name')
    .max(40)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'Letters, digits, spaces, . _ and -, starting with a letter or digit'),
  colour: z.enum(ENVIRONMENT_COLOURS),
  endpoint: z
    .string()
    .trim()
    .max(300)
    .regex(/^ssh:\/\/[^\s@/]+@[^\s/]+$/, 'ssh://user@host or ssh://user@host:port'),
  deployDir: z
    .string()
    .trim()
    .max(1024)
    .regex(/^\/[^\0]*$/, 'An absolute path')
    .refine((p) => !p.split('/').includes('..'), 'No .. in the path'),
  // An OpenSSH or PEM private key; its text is never echoed back, not even in a field error.
  privateKey: z
    .string()
    .max(12_000, 'A private key of at most 12,000 characters')
    .refine((k) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(k), 'A private key in OpenSSH or PEM form'),
};

/** Step 1: check the form and read the host key (nothing is saved). */
export const scanEnvironmentInputSchema = z.strictObject(scanFields);
export type ScanEnvironmentInput = z.infer<typeof scanEnvironmentInputSchema>;

/** Step 2: the same, with the fingerprint the admin confirmed. */
export const addEnvironmentInputSchema = z.strictObject({ ...scanFields, hostKeyFingerprint: fingerprintSchema, production: z.boolean().default(false) });
export type AddEnvironmentInput = z.infer<typeof addEnvironmentInputSchema>;

// A PEM as pasted or uploaded; its text is never echoed back, not even in a field error. The
// server parses it (validateTlsMaterial) and checks the key against the certificate.
const pem = (what: string, marker: RegExp) =>
  z
    .string()
    .max(20_000, `A ${what} of at most 20,000 characters`)
    .refine((k) => marker.test(k), `A ${what} in PEM form`);

/**
 * A Docker Engine over TCP with TLS client certificates, added in one step: the CA decides trust,
 * so there is no fingerprint to confirm. No deployment directory: the console keeps the project's
 * files in its own data directory (docs/environments.md#endpoints).
 */
export const addTcpEnvironmentInputSchema = z.strictObject({
  kind: z.literal('tcp'),
  name: scanFields.name,
  colour: scanFields.colour,
  endpoint: z
    .string()
    .trim()
    .max(300)
    .regex(/^tcp:\/\/[^\s@/]+\/?$/i, 'tcp://host or tcp://host:port'),
  caCert: pem('CA certificate', /-----BEGIN CERTIFICATE-----/),
  clientCert: pem('client certificate', /-----BEGIN CERTIFICATE-----/),
  clientKey: pem('client key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  production: z.boolean().default(false),
});
export type AddTcpEnvironmentInput = z.infer<typeof addTcpEnvironmentInputSchema>;

/** The API's and the action's add body: an SSH environment (no `kind`, as before) or a TCP one. */
export const addAnyEnvironmentInputSchema = z.union([addTcpEnvironmentInputSchema, addEnvironmentInputSchema]);

/** The console's own socket and DEPLOY_DIR: implicit, never a row. */
export const LOCAL_ENVIRONMENT_ID = 'local';

export const environmentIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'An environment id');

/** Removal names the environment again, as the typed confirmation. */
export const removeEnvironmentInputSchema = z.strictObject({ id: environmentIdSchema, confirmName: z.string().max(40) });
/** The API's DELETE body: the id is in the path. */
export const removeEnvironmentBodySchema = z.strictObject({ confirmName: z.string().max(40) });
