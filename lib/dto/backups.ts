// What the Backups page and /api/v1/backups show. Nothing here is secret: the repository password
// appears only in StartBackupDto.repositoryPassword, on the one answer that created the repository.

/** manual, or pre-upgrade (the backup gate's, taken inside a deploy or rollback). */
export type BackupKind = 'manual' | 'pre-upgrade';

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
}

export interface BackupListDto {
  repository: { location: string; initialised: boolean };
  backups: BackupDto[];
}

export interface StartBackupDto {
  operationId: string;
  /** Only on the answer that created the repository: shown once, never again. */
  repositoryPassword: string | null;
}
