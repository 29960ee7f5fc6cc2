import type { z } from 'zod';
import {
  basePathSchema,
  booleanSchema,
  dbLogMinDurationSchema,
  dbLogStatementSchema,
  dbPasswordSchema,
  emailSchema,
  hex64Schema,
  hostSchema,
  httpUrlSchema,
  memorySizeSchema,
  noWhitespaceSchema,
  nonNegativeIntegerSchema,
  portSchema,
  positiveIntegerSchema,
  postgresUrlSchema,
  registrySchema,
  safeEnvValueSchema,
  sampleRateSchema,
  siteUrlSchema,
  sopsAgeKeySchema,
  sqlIdentifierSchema,
  tlsModeSchema,
} from './env-values';

// The one catalogue of the `.env` keys the Tale CLI, the proxy and the services read
// (docs/tale-cli.md#env-keys), grouped the way the settings page shows them. Each entry is all the
// console knows about its key: the help text, whether it is a secret or required, what a change
// recreates, and the value's rule. Keys not listed here are still kept and editable as "other",
// under the generic rules and the name-based secret rule below.

export type EnvKeyInfo = {
  key: string;
  meaning: string;
  /** What applies when the key is absent, as the services read it. */
  default?: string;
  secret?: boolean;
  /** The CLI's `ensureEnv` refuses a file without it, so it may be neither removed nor emptied. */
  required?: boolean;
  /** Which services must be recreated for a change to take effect. */
  affects: 'proxy' | 'colors' | 'all' | 'cli';
  /**
   * The value's own rule, checked after the ones every value obeys; `safeEnvValueSchema` alone
   * where the services take any single-line text. An empty value skips it: optional keys may be
   * emptied, which the services read as unset.
   */
  schema: z.ZodType<string, string>;
};

export type EnvGroup = { id: string; title: string; keys: readonly EnvKeyInfo[] };

const GROUPS = [
  {
    id: 'domain',
    title: 'Domain and proxy',
    keys: [
      { key: 'HOST', meaning: 'Bare hostname: proxy alias, Caddy default SNI, default ACME email tls@<HOST>, default DOCS_URL.', default: 'tale.local', required: true, affects: 'all', schema: hostSchema },
      { key: 'SITE_URL', meaning: 'Full public URL; https:// unless TLS_MODE=external. Used for auth callbacks and admin-key URLs.', default: 'https://localhost', required: true, affects: 'all', schema: siteUrlSchema },
      { key: 'BASE_PATH', meaning: 'Sub-path prefix such as /tale, stripped by the proxy. The Convex dashboard does not work under a sub-path.', default: '(empty)', affects: 'all', schema: basePathSchema },
      { key: 'DOCS_URL', meaning: 'Origin of the docs host block in the proxy.', default: 'https://docs.<HOST>', affects: 'proxy', schema: siteUrlSchema },
      { key: 'METRICS_BEARER_TOKEN', meaning: 'Enables /metrics/* behind Authorization: Bearer <token>; unset means every /metrics* answers 401.', secret: true, affects: 'all', schema: noWhitespaceSchema(16, 'Token') },
    ],
  },
  {
    id: 'tls',
    title: 'TLS',
    keys: [
      { key: 'TLS_MODE', meaning: 'selfsigned (internal CA), letsencrypt (ACME, needs public 80/443) or external (plain HTTP behind your proxy).', default: 'selfsigned', required: true, affects: 'proxy', schema: tlsModeSchema },
      { key: 'TLS_EMAIL', meaning: 'ACME contact for Let’s Encrypt.', default: 'tls@<HOST>', affects: 'proxy', schema: emailSchema },
    ],
  },
  {
    id: 'secrets',
    title: 'Secrets',
    keys: [
      { key: 'BETTER_AUTH_SECRET', meaning: 'Session signing key. Regenerating signs every user out.', secret: true, required: true, affects: 'colors', schema: noWhitespaceSchema(32, 'Secret') },
      { key: 'ENCRYPTION_SECRET_HEX', meaning: '32-byte hex AES-256 key for credentials stored in the database.', secret: true, required: true, affects: 'colors', schema: hex64Schema },
      { key: 'INSTANCE_SECRET', meaning: 'Convex instance secret; admin keys derive from it.', secret: true, required: true, affects: 'all', schema: hex64Schema },
      { key: 'SOPS_AGE_KEY', meaning: 'age identity that decrypts provider secrets (providers/*.secrets.json).', secret: true, required: true, affects: 'colors', schema: sopsAgeKeySchema },
      { key: 'SOPS_AGE_KEY_FILE', meaning: 'File with one or more age identities, for key rotation.', affects: 'colors', schema: safeEnvValueSchema },
    ],
  },
  {
    id: 'database',
    title: 'Database',
    keys: [
      { key: 'DB_PASSWORD', meaning: 'Bundled PostgreSQL password; Postgres reads it only when it first initialises its volume.', secret: true, required: true, affects: 'all', schema: dbPasswordSchema },
      { key: 'DB_USER', meaning: 'User in the connection URLs.', default: 'tale', affects: 'all', schema: sqlIdentifierSchema },
      { key: 'DB_HOST', meaning: 'Host in the connection URLs.', default: 'db', affects: 'all', schema: hostSchema },
      { key: 'DB_PORT', meaning: 'Port in the connection URLs.', default: '5432', affects: 'all', schema: portSchema },
      { key: 'DB_NAME', meaning: 'Shared-env trap: changes both the db’s POSTGRES_DB and the rag/crawler database name.', default: 'tale / tale_knowledge', affects: 'all', schema: sqlIdentifierSchema },
      { key: 'POSTGRES_URL', meaning: 'Base URL without a database name; Convex adds tale_platform.', default: 'postgresql://tale:${DB_PASSWORD}@db:5432', secret: true, affects: 'all', schema: postgresUrlSchema(false) },
      { key: 'RAG_DATABASE_URL', meaning: 'RAG database URL, database name included.', default: 'built from DB_* → /tale_knowledge', secret: true, affects: 'colors', schema: postgresUrlSchema(true) },
      { key: 'CRAWLER_DATABASE_URL', meaning: 'Crawler database URL, database name included.', default: 'built from DB_* → /tale_knowledge', secret: true, affects: 'colors', schema: postgresUrlSchema(true) },
      { key: 'DB_MAX_CONNECTIONS', meaning: 'PostgreSQL max_connections.', default: '100', affects: 'all', schema: positiveIntegerSchema },
      { key: 'DB_SHARED_BUFFERS', meaning: 'PostgreSQL shared_buffers.', default: '256MB', affects: 'all', schema: memorySizeSchema },
      { key: 'DB_EFFECTIVE_CACHE_SIZE', meaning: 'PostgreSQL effective_cache_size.', default: '1GB', affects: 'all', schema: memorySizeSchema },
      { key: 'DB_MAINTENANCE_WORK_MEM', meaning: 'PostgreSQL maintenance_work_mem.', default: '128MB', affects: 'all', schema: memorySizeSchema },
      { key: 'DB_WORK_MEM', meaning: 'PostgreSQL work_mem.', default: '32MB', affects: 'all', schema: memorySizeSchema },
      { key: 'DB_LOG_STATEMENT', meaning: 'PostgreSQL log_statement (none, ddl, mod, all).', default: 'none', affects: 'all', schema: dbLogStatementSchema },
      { key: 'DB_LOG_MIN_DURATION_STATEMENT', meaning: 'Log statements slower than this many ms; -1 disables.', default: '-1', affects: 'all', schema: dbLogMinDurationSchema },
      { key: 'POSTGRES_USER', meaning: 'Fallback user of the bundled db image; the db health check connects as it.', default: 'tale', affects: 'colors', schema: sqlIdentifierSchema },
      { key: 'POSTGRES_DB', meaning: 'Fallback database of the bundled db image; the db health check checks it.', default: 'tale', affects: 'colors', schema: sqlIdentifierSchema },
    ],
  },
  {
    id: 'deployment',
    title: 'Deployment',
    keys: [
      { key: 'GHCR_REGISTRY', meaning: 'Image prefix: images are <registry>/tale-<service>:<version>.', default: 'ghcr.io/tale-project/tale', affects: 'cli', schema: registrySchema },
      { key: 'HEALTH_CHECK_TIMEOUT', meaning: 'Seconds each new container may take to become healthy before a deploy gives up.', default: '300', affects: 'cli', schema: positiveIntegerSchema },
      { key: 'DRAIN_TIMEOUT', meaning: 'Seconds the old colour keeps serving in-flight requests before it is stopped.', default: '30', affects: 'cli', schema: positiveIntegerSchema },
      { key: 'CONVEX_DEPLOY_TIMEOUT', meaning: 'Seconds the platform waits for Convex functions to deploy.', default: '300', affects: 'colors', schema: positiveIntegerSchema },
    ],
  },
  {
    id: 'services',
    title: 'Services',
    keys: [
      { key: 'SENTRY_DSN', meaning: 'Error tracking endpoint.', secret: true, affects: 'colors', schema: httpUrlSchema },
      { key: 'SENTRY_TRACES_SAMPLE_RATE', meaning: 'Share of traces sent to Sentry (0–1).', default: '1.0', affects: 'colors', schema: sampleRateSchema },
      { key: 'CONVEX_URL', meaning: 'Convex backend URL inside the stack.', default: 'http://convex:3210', affects: 'colors', schema: httpUrlSchema },
      { key: 'RAG_URL', meaning: 'RAG service URL inside the stack.', default: 'http://rag:8001', affects: 'colors', schema: httpUrlSchema },
      { key: 'CRAWLER_URL', meaning: 'Crawler service URL inside the stack.', default: 'http://crawler:8002', affects: 'colors', schema: httpUrlSchema },
      { key: 'RAG_AUTH_TOKEN', meaning: 'Token the RAG service requires; unset means unauthenticated RAG on the container network.', secret: true, affects: 'colors', schema: noWhitespaceSchema(16, 'Token') },
      { key: 'RAG_WORKERS', meaning: 'RAG worker processes.', default: '1', affects: 'colors', schema: positiveIntegerSchema },
      { key: 'CRAWLER_WORKERS', meaning: 'Crawler worker processes.', default: '1', affects: 'colors', schema: positiveIntegerSchema },
      { key: 'TALE_FILE_EVENTS', meaning: 'Platform file-change events (the CLI’s development stack sets true).', affects: 'colors', schema: booleanSchema },
    ],
  },
  {
    id: 'sso',
    title: 'Sign-in and trusted headers',
    keys: [
      { key: 'AUTH_MICROSOFT_ENTRA_ID_ID', meaning: 'Microsoft Entra ID application (client) id.', affects: 'colors', schema: safeEnvValueSchema },
      { key: 'AUTH_MICROSOFT_ENTRA_ID_SECRET', meaning: 'Microsoft Entra ID client secret.', secret: true, affects: 'colors', schema: safeEnvValueSchema },
      { key: 'AUTH_MICROSOFT_ENTRA_ID_TENANT_ID', meaning: 'Microsoft Entra ID tenant id.', affects: 'colors', schema: safeEnvValueSchema },
      { key: 'TRUSTED_HEADERS_ENABLED', meaning: 'Accept identity headers from an authenticating proxy.', default: 'false', affects: 'colors', schema: booleanSchema },
      { key: 'TRUSTED_HEADERS_INTERNAL_SECRET', meaning: 'Shared secret the authenticating proxy sends.', secret: true, affects: 'colors', schema: noWhitespaceSchema(16, 'Secret') },
      { key: 'TRUSTED_EMAIL_HEADER', meaning: 'Header carrying the user’s email.', default: 'Remote-Email', affects: 'colors', schema: safeEnvValueSchema },
      { key: 'TRUSTED_NAME_HEADER', meaning: 'Header carrying the user’s name.', default: 'Remote-Name', affects: 'colors', schema: safeEnvValueSchema },
      { key: 'TRUSTED_ROLE_HEADER', meaning: 'Header carrying the user’s role.', default: 'Remote-Role', affects: 'colors', schema: safeEnvValueSchema },
      { key: 'TRUSTED_TEAMS_HEADER', meaning: 'Header carrying the user’s teams.', default: 'Remote-Teams', affects: 'colors', schema: safeEnvValueSchema },
    ],
  },
  {
    id: 'retention',
    title: 'Retention and audit',
    keys: [
      { key: 'TALE_RETENTION_DISABLED', meaning: 'Turns data retention jobs off.', default: 'false', affects: 'colors', schema: booleanSchema },
      { key: 'TALE_AUDIT_PEPPER', meaning: 'Pepper for hashed audit identifiers.', secret: true, affects: 'colors', schema: safeEnvValueSchema },
      { key: 'TALE_AUDIT_SIGNING_KEY', meaning: 'Key that signs audit records.', secret: true, affects: 'colors', schema: safeEnvValueSchema },
      { key: 'TALE_LEGAL_HOLD_RELEASE_COOLDOWN_HOURS', meaning: 'Hours before a released legal hold lets deletion resume.', default: '24', affects: 'colors', schema: nonNegativeIntegerSchema },
      { key: 'TALE_LEGAL_HOLD_SINGLE_ADMIN_OK', meaning: 'Allow one admin alone to release a legal hold.', default: 'false', affects: 'colors', schema: booleanSchema },
    ],
  },
] as const satisfies readonly EnvGroup[];

export const ENV_GROUPS: readonly EnvGroup[] = GROUPS;

/** A key the catalogue lists: lists of keys elsewhere are typed with it, so a typo does not compile. */
export type EnvKey = (typeof GROUPS)[number]['keys'][number]['key'];

// A Map, not an object: lookups by a user's key must never find `constructor` or `__proto__`.
const BY_KEY: ReadonlyMap<string, EnvKeyInfo> = new Map(ENV_GROUPS.flatMap((g) => g.keys.map((k) => [k.key, k] as const)));

export function envKeyInfo(key: string): EnvKeyInfo | undefined {
  return BY_KEY.get(key);
}

/** A known key's own rule; none for the keys the catalogue does not list (only the generic rules apply). */
export function envValueSchemaOf(key: string): z.ZodType<string, string> | undefined {
  return BY_KEY.get(key)?.schema;
}

/**
 * The catalogue's required keys in the order the CLI's `ensureEnv` checks them, which is the
 * order its messages and our set-up use (docs/tale-cli.md#required-keys-and-generated-secrets).
 */
export const REQUIRED_ENV_KEYS = [
  'HOST',
  'SITE_URL',
  'TLS_MODE',
  'BETTER_AUTH_SECRET',
  'ENCRYPTION_SECRET_HEX',
  'INSTANCE_SECRET',
  'DB_PASSWORD',
  'SOPS_AGE_KEY',
] as const satisfies readonly EnvKey[];

// The one rule for which values are secrets, used by the settings page (masking, diffs), the audit
// trail (redaction) and the operation events (scrubbing). Masking a harmless value costs a click;
// showing a secret cannot be undone, so unknown names err on the side of secret.

// Words of a name that mark a secret. Names are split into words at `_`, `-`, `.` and camelCase,
// so the same rule reads `.env` keys (SMTP_PASS, OPENAI_API_KEY) and form fields in audit params
// (password, newPassword, totp, token, confirm: a password's confirmation).
const SECRET_WORDS = new Set([
  'PASS', 'PASSWD', 'PASSWORD', 'PASSWORDS', 'PASSPHRASE', 'PWD', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'KEY', 'KEYS',
  'HEX', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'DSN', 'PRIVATE', 'PEPPER', 'SALT', 'OTP', 'TOTP', 'CONFIRM',
]);
// Words glued together without a separator (DBPASSWORD, CLIENTSECRET, APIKEY, AUTHTOKEN).
const SECRET_GLUED = /PASSWORD|PASSWD|SECRET|CREDENTIAL|(API|PRIV|ACCESS|AUTH)KEY|TOKEN$/;

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

/** A name that says it holds a secret, whether or not the catalogue knows it. */
function secretName(name: string): boolean {
  const words = nameWords(name);
  if (words.some((w) => SECRET_WORDS.has(w) || SECRET_GLUED.test(w))) return true;
  // A database URL carries the password whenever one is needed.
  return /DATABASE_URL$/.test(words.join('_'));
}

/** Whether a key holds a secret: the catalogue decides for the keys it lists, the name for others. */
export function isSecretKey(key: string): boolean {
  const info = BY_KEY.get(key);
  return info ? Boolean(info.secret) : secretName(key);
}

// scheme://userinfo@: the userinfo ends at the last `@` before the path, query or fragment, as in
// URL parsers, so a password holding an unencoded `@` is taken whole.
const URL_USERINFO = /[A-Za-z][A-Za-z0-9+.-]*:\/\/([^\s/?#]*)@/g;

/** The passwords inside the URLs of a value, as written (percent-encoded where the URL encodes them). */
export function urlPasswordsOf(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(URL_USERINFO)) {
    const userinfo = m[1]!;
    const colon = userinfo.indexOf(':');
    if (colon !== -1 && colon < userinfo.length - 1) out.push(userinfo.slice(colon + 1));
  }
  return out;
}

/** Whether a key's value is a secret: the key is one, or the value is (or holds) a URL carrying a password. */
export function isSecretEntry(key: string, value: unknown): boolean {
  return isSecretKey(key) || (typeof value === 'string' && urlPasswordsOf(value).length > 0);
}

function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Every secret value in a set of `.env` values: the value of each secret entry, and each password
 * inside a URL, as written and decoded (services log the one their driver hands them). Empty
 * values are not secrets.
 */
export function secretValuesOf(env: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const [key, value] of Object.entries(env)) {
    if (isSecretEntry(key, value)) out.add(value);
    for (const password of urlPasswordsOf(value)) {
      out.add(password);
      out.add(percentDecoded(password));
    }
  }
  out.delete('');
  return [...out];
}

/** Secrets the console can regenerate, and what regenerating breaks (shown before it happens). */
export const REGENERATABLE_SECRETS = {
  BETTER_AUTH_SECRET: 'Every signed-in user of Tale is signed out at the next deploy.',
  ENCRYPTION_SECRET_HEX:
    'Credentials already stored in the database (OAuth tokens, integration secrets) can no longer be decrypted and must be entered again.',
  DB_PASSWORD:
    'PostgreSQL reads DB_PASSWORD only when it first initialises its data volume: the running database keeps the old password, so the services cannot connect until you change it inside PostgreSQL too.',
  INSTANCE_SECRET: 'The Convex admin key changes: every admin key issued so far stops working.',
} as const satisfies Partial<Record<EnvKey, string>>;
export type RegeneratableSecret = keyof typeof REGENERATABLE_SECRETS;
export const REGENERATABLE_KEYS = Object.keys(REGENERATABLE_SECRETS) as RegeneratableSecret[];
