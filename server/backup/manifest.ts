import { z } from 'zod';
import type { BackupDto } from '@/lib/dto/backups';

// The manifest is the last item a backup stores: a backup without one is incomplete and is never
// listed or restored. It is read back from the repository (a restore may run on a console that
// never saw the backup being made), so it is parsed as strictly as any other input.

/**
 * The volumes that hold state a database dump does not (docs/backups.md#what-a-backup-holds):
 * Convex's files and the project files synced into it, rag's and crawler's data, and Caddy's
 * certificates and local CA.
 */
export const STATE_VOLUMES = ['convex-data', 'rag-data', 'crawler-data', 'caddy-data'] as const;
export type StateVolume = (typeof STATE_VOLUMES)[number];

/**
 * manual: started by a user; pre-upgrade: the backup gate's, inside a deploy or rollback;
 * pre-restore: the safety backup a restore takes of the current state first, so it can be undone.
 */
export const BACKUP_KINDS = ['manual', 'scheduled', 'pre-upgrade', 'pre-restore'] as const;

export const CONSISTENCY =
  'Each database is one pg_dump snapshot of its own; the databases are dumped one after the other and the volumes copied after them while the site serves, so the parts are a few seconds apart, not one instant.';

/** The consistency line of a backup that read a database from an external server (docs/backups.md#external-databases). */
export const CONSISTENCY_EXTERNAL =
  CONSISTENCY.slice(0, -1) + '; a database on an external server is dumped from it over the network the same way, as the services\' role, and is as consistent as the bundled ones.';

const snapshotId = z.string().regex(/^[0-9a-f]{8,64}$/);
const count = z.number().int().nonnegative();

export const manifestSchema = z
  .object({
    format: z.literal(1),
    backupId: z.uuid(),
    projectId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/).max(40),
    kind: z.enum(BACKUP_KINDS),
    startedBy: z.string().max(320).nullable(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    durationMs: count,
    consistency: z.string().max(1000),
    release: z
      .object({ version: z.string().max(128), digests: z.record(z.string(), z.string().max(200)), color: z.string().max(10).nullable(), at: z.string().max(40) })
      .strict()
      .nullable(),
    databases: z.array(
      z
        .object({
          name: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/),
          snapshotId,
          bytes: count,
          dataAdded: count,
          tables: z.array(z.object({ schema: z.string().max(128), table: z.string().max(128), rows: count }).strict()),
          /** Where it was read from; absent in backups made before external databases were backed up (bundled). Never a password. */
          source: z
            .discriminatedUnion('kind', [
              z.object({ kind: z.literal('bundled') }).strict(),
              z.object({ kind: z.literal('external'), host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535), user: z.string().max(63) }).strict(),
            ])
            .optional(),
        })
        .strict(),
    ),
    volumes: z.array(z.object({ key: z.enum(STATE_VOLUMES), name: z.string().max(100), snapshotId, bytes: count, dataAdded: count }).strict()),
    projectFiles: z.object({ snapshotId, bytes: count, dataAdded: count, files: z.array(z.string().max(200)) }).strict(),
  })
  .strict();

export type BackupManifest = z.infer<typeof manifestSchema>;

/** The file names inside the snapshots of one backup. */
export const itemFile = {
  database: (name: string) => `databases/${name}.sql`,
  volume: (key: string) => `volumes/${key}.tar`,
  projectFiles: 'project/files.json',
  manifest: 'manifest.json',
};

/** Tags that find a project's backups and the parts of one. */
export const tags = {
  project: (id: string) => `tale-project:${id}`,
  backup: (backupId: string) => `tale-backup:${backupId}`,
  manifest: 'tale-manifest',
};

export function toBackupDto(id: string, m: BackupManifest): BackupDto {
  const items = [...m.databases, ...m.volumes, m.projectFiles];
  return {
    id,
    backupId: m.backupId,
    projectId: m.projectId,
    kind: m.kind,
    startedBy: m.startedBy,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
    durationMs: m.durationMs,
    bytes: items.reduce((n, i) => n + i.bytes, 0),
    dataAdded: items.reduce((n, i) => n + i.dataAdded, 0),
    consistency: m.consistency,
    release: m.release,
    databases: m.databases.map((d) => ({ name: d.name, snapshotId: d.snapshotId, bytes: d.bytes, dataAdded: d.dataAdded, tables: d.tables, source: d.source ?? { kind: 'bundled' } })),
    volumes: m.volumes.map((v) => ({ key: v.key, name: v.name, snapshotId: v.snapshotId, bytes: v.bytes, dataAdded: v.dataAdded })),
    projectFiles: { snapshotId: m.projectFiles.snapshotId, bytes: m.projectFiles.bytes, files: m.projectFiles.files },
    drill: null,
  };
}
