import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { z } from 'zod';

// The only reader of process.env: server/runtime.ts takes processEnv(), and everything behind the
// edge reads the runtime's `env`.

const schema = z
  .object({
    DATA_DIR: z.string().min(1).default('./data'),
    DEPLOY_DIR: z.string().min(1).optional(),
    DOCKER_HOST: z
      .string()
      .regex(/^(unix:\/\/\/.+|tcp:\/\/[^\s/]+:\d+\/?)$/, 'must be unix:///path or tcp://host:port')
      .optional(),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_MAX_AGE_HOURS: z.coerce.number().int().positive().max(24 * 30).default(12),
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    TRUSTED_PROXIES: z
      .string()
      .regex(/^[0-9a-fA-F:.,\s]*$/, 'must be a comma-separated list of IP addresses')
      .optional(),
    SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
    SIGNIN_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    BACKUP_REPOSITORY: z.string().regex(/^\//, 'must be an absolute path').optional(),
    RESTIC_BINARY: z.string().regex(/^\//, 'must be an absolute path').default('/usr/bin/restic'),
    PREFLIGHT_DATA_ROOT: z.string().regex(/^\//, 'must be an absolute path').optional(),
    HEALTH_WATCH: z.enum(['on', 'off']).default('on'),
    ALERT_HEALTH_THRESHOLD_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    ALERT_DISK_PERCENT: z.coerce.number().int().min(10).max(100).default(90),
    ALERT_MEMORY_PERCENT: z.coerce.number().int().min(10).max(100).default(90),
    ALERT_DISK_PATH: z.string().regex(/^\//, 'must be an absolute path').optional(),
    ALERT_CHECK_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
    ALERT_TLS_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  })
  .strict();

export type Env = {
  dataDir: string;
  deployDir: string;
  docker: { socketPath: string } | { host: string; port: number };
  publicUrl: string | undefined;
  secureCookies: boolean;
  sessionSecret: string;
  sessionMaxAgeSeconds: number;
  trustedProxies: string[];
  signIn: { maxFailures: number; lockoutSeconds: number };
  /** `next dev`: React needs eval for its error overlay, so the CSP allows it there only. */
  dev: boolean;
  /** The backup repository (a local directory), its 0600 password file and restic's cache. */
  backup: { repository: string; passwordFile: string; cacheDir: string; restic: string };
  /**
   * For tests only (docs/preflight.md): the path whose filesystem the preflight's disk check
   * counts instead of the Docker data root's, so a test can point it at a small tmpfs.
   */
  preflightDataRoot?: string;
  /** Whether the health watcher runs (server/watch/); `HEALTH_WATCH=off` for the benchmark's comparison. */
  healthWatch: boolean;
  /** The alerts' thresholds (docs/alerts.md#thresholds). */
  alerts: AlertThresholds;
};

export type AlertThresholds = {
  /** How long a container stays unhealthy or restarting before it alerts. */
  healthThresholdMs: number;
  /** Disk and memory alert at this percentage used; re-armed 5 points below. */
  diskPercent: number;
  memoryPercent: number;
  /** The path whose file system the disk check watches (the deployment directory unless set). */
  diskPath: string;
  /** How often the disk and memory are checked. */
  checkIntervalMs: number;
  /** `tls.expiring` when the proxy's certificate has fewer days left than this. */
  tlsDays: number;
};

const KNOWN = Object.keys(schema.shape);

export class ConfigError extends Error {}

function dockerEndpoint(value: string | undefined): Env['docker'] {
  if (!value) return { socketPath: '/var/run/docker.sock' };
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) };
  const url = new URL(value.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port) };
}

/** Reads the stored session secret, creating it (0600) on first start. */
function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'session-secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = crypto.randomBytes(48).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, secret, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return secret;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const picked = Object.fromEntries(KNOWN.map((k) => [k, source[k] === '' ? undefined : source[k]]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const cfg = parsed.data;
  const dataDir = path.resolve(/*turbopackIgnore: true*/ cfg.DATA_DIR);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const deployDir = path.resolve(/*turbopackIgnore: true*/ cfg.DEPLOY_DIR ?? path.join(dataDir, 'deploy'));
  return {
    dataDir,
    deployDir,
    docker: dockerEndpoint(cfg.DOCKER_HOST),
    publicUrl: cfg.PUBLIC_URL,
    secureCookies: cfg.PUBLIC_URL?.startsWith('https://') ?? false,
    sessionSecret: cfg.SESSION_SECRET ?? loadOrCreateSecret(dataDir),
    sessionMaxAgeSeconds: cfg.SESSION_MAX_AGE_HOURS * 3600,
    trustedProxies: (cfg.TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    signIn: { maxFailures: cfg.SIGNIN_MAX_FAILURES, lockoutSeconds: cfg.SIGNIN_LOCKOUT_SECONDS },
    dev: cfg.NODE_ENV === 'development',
    backup: {
      repository: path.resolve(/*turbopackIgnore: true*/ cfg.BACKUP_REPOSITORY ?? path.join(dataDir, 'backups')),
      passwordFile: path.join(dataDir, 'backup-password'),
      cacheDir: path.join(dataDir, 'restic-cache'),
      restic: cfg.RESTIC_BINARY,
    },
    ...(cfg.PREFLIGHT_DATA_ROOT ? { preflightDataRoot: cfg.PREFLIGHT_DATA_ROOT } : {}),
    healthWatch: cfg.HEALTH_WATCH === 'on',
    alerts: {
      healthThresholdMs: cfg.ALERT_HEALTH_THRESHOLD_SECONDS * 1000,
      diskPercent: cfg.ALERT_DISK_PERCENT,
      memoryPercent: cfg.ALERT_MEMORY_PERCENT,
      diskPath: cfg.ALERT_DISK_PATH ?? deployDir,
      checkIntervalMs: cfg.ALERT_CHECK_SECONDS * 1000,
      tlsDays: cfg.ALERT_TLS_DAYS,
    },
  };
}

let parsed: Env | undefined;

/**
 * The process's configuration, parsed on first use. server/runtime.ts hands it to everything
 * behind the edge; only proxy.ts, which runs before any page and needs no database or Docker, asks
 * for it here. (A second bundle of this module parses it again, to the same result.)
 */
export function processEnv(): Env {
  parsed ??= parseEnv(process.env);
  return parsed;
}
