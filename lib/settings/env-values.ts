import { z } from 'zod';

// The rules `.env` values obey: the generic ones every key and value obeys, and the named rules
// the key catalogue (env-catalog.ts) gives each key it knows. Shared by the settings forms and the
// server-side writer. Messages never echo the value: many of these keys are secrets.

export const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names every plain JavaScript object inherits. They are legal .env names, but a reader that keeps
 * values in a plain object (ours before they were hardened, the CLI's process.env for `__proto__`)
 * finds the inherited member instead: the console refuses to write them rather than have readers
 * disagree. Listed, not read from Object.prototype, so browser and server refuse the same names.
 */
export const PROTOTYPE_KEY_NAMES: ReadonlySet<string> = new Set([
  'constructor', '__proto__', 'toString', 'toLocaleString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf',
  'propertyIsEnumerable', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);

export const envKeySchema = z
  .string()
  .max(128, 'Key must be at most 128 characters')
  .regex(ENV_KEY_PATTERN, 'Key must start with a letter or _ and contain only letters, digits and _')
  .refine((key) => !PROTOTYPE_KEY_NAMES.has(key), 'Is a name every JavaScript object has (like constructor or toString): use another name');

// C0 controls and DEL: a newline or carriage return would start a new assignment in the file,
// NUL truncates the value in C-based readers (compose, the entrypoint shells).
const CONTROL_CHARS = /[\u0000-\u0008\u000a-\u001f\u007f]/;

function countOf(value: string, ch: string): number {
  let n = 0;
  for (const c of value) if (c === ch) n += 1;
  return n;
}

/** Rules every value obeys, whatever its key: one line, no control characters, balanced quotes. */
export const safeEnvValueSchema = z.string().superRefine((value, ctx) => {
  if (CONTROL_CHARS.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'Must be a single line without control characters (newline, carriage return, NUL)' });
    return;
  }
  // The CLI strips one leading/trailing quote without pairing them, so an odd quote count is read
  // differently by the CLI, by compose and by us.
  if (countOf(value, '"') % 2 !== 0 || countOf(value, "'") % 2 !== 0) {
    ctx.addIssue({ code: 'custom', message: 'Has unbalanced quotes' });
  }
});

export const TLS_MODES = ['selfsigned', 'letsencrypt', 'external'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

const HOSTNAME_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function isBareHostname(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  if (IPV4.test(value)) return true;
  return value.split('.').every((label) => HOSTNAME_LABEL.test(label));
}

export const hostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine(isBareHostname, 'Must be a bare hostname (e.g. tale.example.com): no scheme, port or path');

export const tlsModeSchema = z.enum(TLS_MODES, { error: 'Must be one of selfsigned, letsencrypt, external' });

// The proxy publishes 80 and 443 only; a non-standard port in SITE_URL makes Caddy listen on a port
// nobody can reach (docs/tale-cli.md#proxy-and-tls, the port caveat). In external mode the proxy drops the port itself.
function checkPublicUrl(value: string, tlsMode: string | undefined): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Must be an absolute URL such as https://tale.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Must be an http(s) URL';
  if (url.username || url.password) return 'Must not contain credentials';
  if (url.search || url.hash) return 'Must not contain a query or fragment';
  if (url.pathname !== '/' && url.pathname !== '') return 'Must not contain a path (use BASE_PATH for a sub-path)';
  if (!isBareHostname(url.hostname)) return 'Must use a plain hostname';
  if (tlsMode === 'external') return null;
  if (url.protocol !== 'https:') return 'Must use https:// unless TLS_MODE=external';
  if (url.port !== '' && url.port !== '443') return 'Must not use a port other than 443: the proxy publishes only 80 and 443';
  return null;
}

/** SITE_URL without the cross-field rule; use `publicUrlIssue` once TLS_MODE is known. */
export const siteUrlSchema = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const issue = checkPublicUrl(value, 'external');
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  })
  .transform((value) => value.replace(/\/+$/, ''));

export function publicUrlIssue(value: string, tlsMode: string | undefined): string | null {
  return checkPublicUrl(value, tlsMode);
}

const BASE_PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

/** Normalised the way the proxy does it: leading `/` added, trailing `/` removed; empty stays empty. */
export const basePathSchema = z
  .string()
  .trim()
  .transform((value) => value.replace(/^\/+/, '').replace(/\/+$/, ''))
  .refine(
    (value) => value === '' || value.split('/').every((seg) => BASE_PATH_SEGMENT.test(seg) && seg !== '.' && seg !== '..'),
    'Must be a path like /tale made of letters, digits, . _ ~ -',
  )
  .transform((value) => (value === '' ? '' : `/${value}`));

export const emailSchema = z.string().trim().pipe(z.email({ error: 'Must be an email address' }));

export const hex64Schema = z.string().regex(/^[0-9a-fA-F]{64}$/, 'Must be 64 hexadecimal characters (32 bytes)');

export const positiveIntegerSchema = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,8}$/, 'Must be a positive whole number');

export const nonNegativeIntegerSchema = z.string().trim().regex(/^\d{1,9}$/, 'Must be a whole number ≥ 0');

export const booleanSchema = z.enum(['true', 'false'], { error: 'Must be true or false' });

/** A generated secret or token: a minimum length, no spaces. */
export const noWhitespaceSchema = (min: number, what: string) =>
  z
    .string()
    .min(min, `${what} must be at least ${min} characters`)
    .regex(/^\S+$/, `${what} must not contain spaces`);

// DB_PASSWORD is spliced unescaped into postgresql:// URLs by convex, platform, rag and crawler.
export const dbPasswordSchema = z
  .string()
  .min(12, 'Must be at least 12 characters')
  .regex(/^[A-Za-z0-9._~-]+$/, 'Must use only letters, digits and . _ ~ - (it is embedded in connection URLs)');

const BECH32_UPPER = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';
export const sopsAgeKeySchema = z
  .string()
  .trim()
  .regex(new RegExp(`^AGE-SECRET-KEY-1[${BECH32_UPPER}]{58}$`), 'Must be an age X25519 identity (AGE-SECRET-KEY-1…, 74 characters)');

export const sqlIdentifierSchema = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'Must be a lower-case SQL identifier (letters, digits, _)');

export function postgresUrlSchema(withDatabase: boolean) {
  return z.string().trim().superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Must be a postgresql:// URL' });
      return;
    }
    if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
      ctx.addIssue({ code: 'custom', message: 'Must start with postgresql:// (other schemes make Convex fall back to SQLite)' });
      return;
    }
    if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'Must name a host' });
    // The services append `?sslmode=disable` themselves (docs/tale-cli.md#service-owned-migrations), so any other query would break that
    // URL. sslmode alone is let through: a server that requires TLS needs it, and the external-database
    // wizard warns about the migrations when it writes one.
    if (url.search && !/^\?sslmode=(disable|allow|prefer|require|verify-ca|verify-full)$/.test(url.search)) {
      ctx.addIssue({ code: 'custom', message: 'Must not contain a query string other than ?sslmode=… (the services append ?sslmode=disable)' });
    }
    const path = url.pathname.replace(/^\/+/, '');
    if (withDatabase && !/^[A-Za-z0-9_]+$/.test(path)) {
      ctx.addIssue({ code: 'custom', message: 'Must end with a database name (e.g. /tale_knowledge)' });
    }
    if (!withDatabase && path !== '') {
      ctx.addIssue({ code: 'custom', message: 'Must not contain a database name (Convex adds tale_platform)' });
    }
  });
}

export const httpUrlSchema = z.string().trim().superRefine((value, ctx) => {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'Must be an http(s) URL' });
  }
});

export const memorySizeSchema = z.string().trim().regex(/^\d+(kB|MB|GB|TB)?$/, 'Must be a size like 256MB');

export const registrySchema = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9.-]+(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
    'Must be a registry prefix like ghcr.io/tale-project/tale',
  );

export const sampleRateSchema = z
  .string()
  .trim()
  .refine((v) => /^(0(\.\d+)?|1(\.0+)?)$/.test(v), 'Must be a number between 0 and 1');

export const portSchema = z
  .string()
  .trim()
  .refine((v) => /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, 'Must be a port between 1 and 65535');

export const dbLogStatementSchema = z.enum(['none', 'ddl', 'mod', 'all'], { error: 'Must be one of none, ddl, mod, all' });

export const dbLogMinDurationSchema = z.string().trim().regex(/^(-1|\d{1,9})$/, 'Must be -1 or a whole number of milliseconds');

/** The domain form of the settings page. */
export const domainSettingsSchema = z
  .object({
    HOST: hostSchema,
    SITE_URL: siteUrlSchema,
    TLS_MODE: tlsModeSchema,
    TLS_EMAIL: z.union([z.literal(''), emailSchema]).optional(),
    BASE_PATH: basePathSchema.optional(),
  })
  .superRefine((form, ctx) => {
    const issue = publicUrlIssue(form.SITE_URL, form.TLS_MODE);
    if (issue) ctx.addIssue({ code: 'custom', path: ['SITE_URL'], message: issue });
  });
export type DomainSettings = z.infer<typeof domainSettingsSchema>;
