import type { Readable } from 'node:stream';
import type { ExecRunner } from '../docker/exec-stream';
import type { OneShotRunner } from '../docker/one-shot-stream';
import type { EnginePorts } from '../engine/ports';

// What the backup engine (backup-engine.ts) needs from the outside world. The adapters are
// restic.ts (the repository), server/docker/volume-archive.ts (volumes as tar streams) and the
// streaming exec (pg_dump and psql in the db container); unit tests implement them in memory.

export interface RepositorySnapshot {
  id: string;
  shortId: string;
  time: string;
  paths: string[];
  tags: string[];
}

export interface StoredItem {
  snapshotId: string;
  /** Bytes streamed into the repository (before deduplication and compression). */
  bytes: number;
  /** Bytes the repository grew by. */
  dataAdded: number;
}

export interface BackupRepository {
  /** Where it is (a directory, an sftp:// or S3 URL); never a credential. */
  readonly location: string;
  isInitialised(): Promise<boolean>;
  init(): Promise<void>;
  /** Removes locks left by a restic that was killed. */
  unlock(): Promise<void>;
  /** Stores one stream as one snapshot holding `filename`; resolves once the repository has it. */
  backupStdin(input: Readable, opts: { filename: string; tags: string[]; signal?: AbortSignal; onBytes?: (bytes: number) => void }): Promise<StoredItem>;
  /** Snapshots carrying every one of `tags`. */
  snapshots(tags: string[]): Promise<RepositorySnapshot[]>;
  /** The stored file as a stream; `done` rejects when restic fails. */
  dump(snapshotId: string, filename: string, signal?: AbortSignal): { stream: Readable; done: Promise<void> };
  forget(snapshotIds: string[]): Promise<void>;
  /** Removes the data no snapshot refers to any more (after forget). */
  prune(): Promise<void>;
  /** Opens the repository with the stored password (`restic cat config`); writes nothing. */
  open?(): Promise<void>;
  /** `restic check` (with every pack read back when readData): resolves when sound, BACKUP_REPOSITORY_CORRUPT with restic's reason when not. */
  check(opts: { readData: boolean; signal?: AbortSignal }): Promise<{ ok: true; output: string }>;
}

/** A Docker volume as the helper container mounts it: `/volumes/<key>`. */
export interface HelperVolume {
  key: string;
  /** The Docker volume name, `<id>_<key>`. */
  name: string;
}

export interface HelperSpec {
  /** An image already on the host (the db container's): no extra image is pulled. */
  image: string;
  name: string;
  volumes: HelperVolume[];
  readOnly: boolean;
  labels: Record<string, string>;
}

export interface VolumeHelper {
  /** The volume as a tar stream (Docker's archive API) whose entries start with `<key>/`. */
  read(key: string): Promise<Readable>;
  /** Deletes the content of every mounted volume (the helper runs once for it). */
  empty(): Promise<void>;
  /** Extracts a tar made by read() into the volume, owners and modes kept. */
  write(key: string, tar: Readable): Promise<void>;
}

export interface VolumeArchiver {
  /** Creates the helper container, hands it to `fn`, and removes it whatever happens. */
  withHelper<T>(spec: HelperSpec, fn: (helper: VolumeHelper) => Promise<T>): Promise<T>;
}

export interface BackupPorts extends EnginePorts {
  repo: BackupRepository;
  /** `docker exec` as streams, in the db container. */
  exec: ExecRunner;
  volumes: VolumeArchiver;
  /** The project files to keep with a backup, by path relative to the deployment directory. */
  readProjectFiles(): Promise<Record<string, Buffer>>;
  /**
   * pg_dump and psql against an external PostgreSQL, each in a short-lived container of the
   * stack's db image on `<id>_internal` (server/docker/one-shot-stream.ts); absent where no
   * external database is used (unit tests of the bundled path).
   */
  oneShot?: OneShotRunner;
  /** The stack's db image already on this host (never pulled), for when no db container runs. */
  stackDbImage?(): Promise<string | null>;
}
