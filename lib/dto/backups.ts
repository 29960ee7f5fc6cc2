import type { EnvDiffEntry, LineDiff } from '@/lib/settings/env-diff';
// What the Backups page and /api/v1/backups show. Nothing here is secret: the repository password
// appears only in StartBackupDto.repositoryPassword, on the one answer that created the repository.

/** manual, scheduled (the schedule's, as the system), pre-upgrade (the backup gate's, taken inside a deploy or rollback), or pre-restore (a restore's safety backup). */
export type BackupKind = 'manual' | 'scheduled' | 'pre-upgrade' | 'pre-restore';

export interface BackupTableDto {
  schema: string;
  table: string;
  rows: number;
}

export interface BackupDatabaseDto {
  name: string;
  snapshotId: string;
  bytes: number;
  dataAdded: number;
  /** Row counts of every table, read just before its dump. */
  tables: BackupTableDto[];
  /** Where it was read from: the bundled db, or an external server by host and port (never a password). */
  source: { kind: 'bundled' } | { kind: 'external'; host: string; port: number; user: string };
}

export interface BackupVolumeDto {
  /** The volume's key in the stack (`rag-data`); the Docker volume is `<projectId>_<key>`. */
  key: string;
  name: string;
  snapshotId: string;
  bytes: number;
  dataAdded: number;
}

export interface BackupDto {
  /** The id of the manifest's snapshot: what a restore names. */
  id: string;
  backupId: string;
  projectId: string;
  kind: BackupKind;
  startedBy: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Bytes streamed into the repository (databases, volumes, project files). */
  bytes: number;
  /** What the repository grew by (after deduplication and compression). */
  dataAdded: number;
  /** One line on how the parts relate in time (docs/backups.md#consistency). */
  consistency: string;
  release: { version: string; digests: Record<string, string>; color: string | null; at: string } | null;
  databases: BackupDatabaseDto[];
  volumes: BackupVolumeDto[];
  projectFiles: { snapshotId: string; bytes: number; files: string[] };
  /** The latest restore drill of this backup, if any ran on this console. */
  drill: DrillDto | null;
}

/** One restore drill, read from its operation (docs/backups.md#restore-drill). */
export interface DrillDto {
  operationId: string;
  /** The backup's id as listed (its manifest snapshot). */
  snapshot: string;
  /** The drilled backup's uuid (its manifest's backupId). */
  backupId: string;
  /** When the drilled backup was taken: what a pass proves restorable. */
  backupStartedAt: string | null;
  status: 'running' | 'passed' | 'failed' | 'cancelled' | 'interrupted';
  /** Who started it; null for the schedule. */
  actor: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  tables: number | null;
  /** Why it failed: the tables whose row counts differ and by how much, or what broke. */
  error: { code: string; message: string } | null;
}

export interface DrillListDto {
  drills: DrillDto[];
  health: BackupHealthDto;
}

/** What the overview says about backups, read from the history (no repository access). */
export interface BackupHealthDto {
  lastBackupAt: string | null;
  /** When the newest backup that passed a drill was taken. */
  lastProvenAt: string | null;
  /** The newest finished drill, when it failed: the overview shows it as an error. */
  failedDrill: DrillDto | null;
}

export interface BackupScheduleDto {
  schedule: { enabled: boolean; mode: 'daily' | 'every'; at: string; everyHours: number; keep: { daily: number; weekly: number; monthly: number } };
  nextRunAt: string | null;
  lastRunAt: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface BackupListDto {
  repository: { location: string; initialised: boolean };
  backups: BackupDto[];
  /**
   * The newest restore when it did not finish (failed, cancelled or interrupted): its data may be
   * half-restored and its writers stopped until a restore runs again.
   */
  unfinishedRestore?: { operationId: string; status: string; message: string | null } | null;
}

export interface StartBackupDto {
  operationId: string;
  /** Only on the answer that created the repository: shown once, never again. */
  repositoryPassword: string | null;
}

/**
 * One project file compared between a backup and the deployment directory now: `env` for .env
 * (key by key, secrets masked), `lines` for the others (compose.override.yml's secrets masked).
 * `before` is now, `after` what restoring the backup's files would write.
 */
export type ProjectFileDiffDto = {
  path: string;
  status: 'same' | 'changed' | 'only-in-backup' | 'only-now';
  env?: EnvDiffEntry[];
  lines?: LineDiff;
};

export type ProjectFilesDiffDto = { snapshot: string; backupId: string; startedAt: string; files: ProjectFileDiffDto[] };

/** What restoring a backup's project files wrote (the previous versions are kept in `.tale/backups/`). */
export type ProjectFilesRestoredDto = { restored: string[]; unchanged: string[]; keptNow: string[] };
