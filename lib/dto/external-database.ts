// What the external-database wizard shows. No field carries the admin password; the service role's
// password appears only in PrepareResultDto.rolePassword, right after it was set.

export interface ConnectionDto {
  serverVersion: string;
  majorVersion: number;
  tls: boolean;
  /** True when the server refused a connection without TLS (null: not probed, e.g. TLS not used). */
  tlsRequired: boolean | null;
}

export interface CheckDto {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'warn';
  required: boolean;
  detail: string;
  /** What to do when it failed. */
  fix: string | null;
}

export interface ChecksDto {
  connection: ConnectionDto;
  checks: CheckDto[];
  ok: boolean;
}

export type PrepareState = 'created' | 'changed' | 'already-present' | 'skipped' | 'failed';

export interface PrepareStepDto {
  id: string;
  title: string;
  database: string;
  /** The statement as shown (secrets replaced). */
  sql: string;
  state: PrepareState | 'pending';
  detail: string | null;
}

export interface PrepareResultDto {
  steps: PrepareStepDto[];
  ok: boolean;
  /** Set only when this run created the role or rotated its password. */
  rolePassword: string | null;
  /** Where the role's password is known from when this run did not set it. */
  passwordSource: 'set-now' | 'env' | 'unknown';
}

export interface EnvChangeDto {
  key: string;
  before: string | null;
  after: string | null;
}

export interface ConfigureResultDto {
  applied: boolean;
  envChanges: EnvChangeDto[];
  /** Line diff of compose.override.yml (`+`/`-`/` ` prefixed), secrets masked. */
  overrideDiff: string[];
  overrideFile: string;
  warnings: string[];
  backups: string[];
}

export interface VerifyItemDto {
  target: string;
  ok: boolean;
  detail: string;
}

export interface VerifyResultDto {
  ok: boolean;
  items: VerifyItemDto[];
}

export interface DatabaseModeDto {
  mode: 'bundled' | 'external';
  /** Host and port of the external server (no credentials). */
  external: { host: string; port: number; user: string; sslMode: string } | null;
  overrideFile: string | null;
  /** Why the current configuration could not be read (e.g. an override the console refuses). */
  problem: string | null;
}

/** One table after a copy: rows in the bundled db and on the external server. */
export interface CopyTableDto {
  database: string;
  schema: string;
  table: string;
  sourceRows: number | null;
  targetRows: number | null;
  match: boolean;
}

export type CopyEventDto =
  | { type: 'refused'; database: string; code: string; message: string }
  | { type: 'database-started'; database: string }
  | { type: 'progress'; database: string; bytes: number; objects: number; rows: number }
  | { type: 'database-finished'; database: string; bytes: number; objects: number; rows: number }
  | { type: 'failed'; database: string; message: string };

export interface CopySummaryDto {
  ok: boolean;
  /** Set when nothing was copied because a target already holds tables, or lacks an extension. */
  refused: { database: string; code: string; message: string }[];
  failure: string | null;
  tables: CopyTableDto[];
}

export interface CopyStatusDto {
  id: string;
  state: 'running' | 'done';
  /** The latest event per database, for a progress line each. */
  events: CopyEventDto[];
  summary: CopySummaryDto | null;
}

/** A database as the console names it: the bundled db, or an external server by host and port (no credentials). */
export type DatabaseUseDto = { kind: 'bundled'; label: string } | { kind: 'external'; host: string; port: number; label: string };

/**
 * Which database the running services use (read from the environment they were started with)
 * against what the files select for the next deploy, and the bundled db's container and volume.
 */
export interface DatabaseInUseDto {
  /** One line per running service that opens a database connection; `use` null when unreadable. */
  services: { service: 'convex' | 'platform' | 'rag' | 'crawler'; container: string; use: DatabaseUseDto | null }[];
  /** The database they all use; `mixed` when they differ (mid-deploy, or a half-applied switch); null when none runs. */
  inUse: DatabaseUseDto | { kind: 'mixed'; label: string } | null;
  /** What the files select: what the next deploy uses. */
  configured: DatabaseUseDto;
  /** What the next deploy changes, e.g. "switches to external (pg:5432) at the next deploy"; null when nothing. */
  pending: string | null;
  bundled: {
    container: string;
    state: 'running' | 'stopped' | 'absent';
    /** Its data volume, kept when the db is stopped. */
    volume: string;
    volumeExists: boolean;
    /** Why the volume cannot be removed now; null when it can. */
    removalBlocked: string | null;
  };
}
