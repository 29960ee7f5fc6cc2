import 'server-only';
import path from 'node:path';
import { z } from 'zod';
import type { ActionResult } from '@/lib/action-result';
import type { ProjectFileDiffDto, ProjectFilesDiffDto, ProjectFilesRestoredDto } from '@/lib/dto/backups';
import { CodedError } from '@/lib/errors';
import { projectFilesDiffSchema, projectFilesRestoreSchema } from '@/lib/schemas/backups';
import { diffEnvValues, diffLines, redactOverride } from '@/lib/settings/env-diff';
import { authorize, type Caller } from '../auth/caller';
import { dumpJson, readManifest } from '../backup/backup-engine';
import { BackupError } from '../backup/backup-error';
import { itemFile, type BackupManifest } from '../backup/manifest';
import { PROJECT_FILES } from '../backup/project-files';
import { appendAudit } from '../db/audit-log';
import { atomicWriteFile } from '../project/atomic-write';
import { envValues, parseEnvDocument } from '../project/env-document';
import { ENV_FILE, projectPaths } from '../project/project-paths';
import type { Runtime } from '../runtime';
import { confirmProject, invalid, WRONG_PROJECT } from './operation-start';

// A backup's project files (tale.json, .env, compose.override.yml, the .tale state files) are
// restored apart from its data, as an explicit choice shown as a diff first
// (docs/backups.md#project-files): they decide which images run with which secrets, and the ones
// now may be newer on purpose (a rotated secret, a TLS change).

// The stored JSON: file paths and their bytes as base64. Only the paths a backup takes are
// accepted: a path from the repository must never point outside the deployment directory.
const storedFilesSchema = z.strictObject({ files: z.partialRecord(z.enum(PROJECT_FILES), z.base64()) });

/** A backup's project files, checked (also read by a restore into a fresh host, fresh-restore.ts). */
export async function backupFiles(from: Pick<Runtime['backups'], 'repo'>, manifest: BackupManifest): Promise<Record<string, Buffer>> {
  const parsed = storedFilesSchema.safeParse(await dumpJson(from, manifest.projectFiles.snapshotId, itemFile.projectFiles));
  if (!parsed.success) throw new BackupError('BACKUP_MANIFEST_INVALID', 'The project files of that backup cannot be read.');
  return Object.fromEntries(Object.entries(parsed.data.files).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

/** The backup's manifest, refused when it belongs to another project. */
async function manifestOf(rt: Runtime, snapshot: string): Promise<BackupManifest> {
  const manifest = await readManifest(rt.backups, snapshot);
  const live = await rt.project.readProjectId();
  if (manifest.projectId !== live) throw new BackupError('BACKUP_OTHER_PROJECT', `That backup belongs to project ${manifest.projectId}, not to this one (${live}).`);
  return manifest;
}

const envOf = (b: Buffer | undefined) => (b ? envValues(parseEnvDocument(b.toString('utf8'))) : {});
const textOf = (rel: string, b: Buffer | undefined) => {
  const text = b?.toString('utf8') ?? '';
  return rel.startsWith('compose.override') ? redactOverride(text) : text;
};

/** Per file: now → the backup's, secrets masked. */
export function diffProjectFiles(now: Record<string, Buffer>, backup: Record<string, Buffer>): ProjectFileDiffDto[] {
  const out: ProjectFileDiffDto[] = [];
  for (const rel of PROJECT_FILES) {
    const a = now[rel];
    const b = backup[rel];
    if (!a && !b) continue;
    const status = !a ? 'only-in-backup' : !b ? 'only-now' : a.equals(b) ? 'same' : 'changed';
    const entry: ProjectFileDiffDto = { path: rel, status };
    if (status === 'changed' || status === 'only-in-backup') {
      if (rel === ENV_FILE) entry.env = diffEnvValues(envOf(a), envOf(b));
      else entry.lines = diffLines(textOf(rel, a), textOf(rel, b));
    }
    out.push(entry);
  }
  return out;
}

const failure = (err: unknown): ActionResult<never> => {
  if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
  throw err;
};

/** The diff between a backup's project files and the current ones (operators read it: secrets are masked). */
export function projectFilesDiff(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<ProjectFilesDiffDto>> {
  return authorize(caller, 'operator', async () => {
    const parsed = projectFilesDiffSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    try {
      const manifest = await manifestOf(rt, parsed.data.snapshot);
      const files = diffProjectFiles(await rt.backups.readProjectFiles(), await backupFiles(rt.backups, manifest));
      return { ok: true, data: { snapshot: parsed.data.snapshot, backupId: manifest.backupId, startedAt: manifest.startedAt, files } };
    } catch (err) {
      return failure(err);
    }
  });
}

/**
 * Writes the backup's project files over the current ones (admin, project id typed): each file
 * that differs, atomically, the previous version kept in `.tale/backups/`. Files the backup does
 * not have are kept. Not applied to running containers: the next deploy reads them.
 */
export function restoreProjectFiles(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<ProjectFilesRestoredDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = projectFilesRestoreSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { snapshot, projectId: typed } = parsed.data;
    const action = 'backups.project_files_restore';
    if (!(await confirmProject({ rt, caller, actor }, action, typed, { snapshot }))) return WRONG_PROJECT;
    const { dir, fs } = rt.files;
    try {
      const manifest = await manifestOf(rt, snapshot);
      const backup = await backupFiles(rt.backups, manifest);
      const result = await rt.writes(async () => {
        const now = await rt.backups.readProjectFiles();
        const restored: string[] = [];
        const unchanged: string[] = [];
        for (const [rel, bytes] of Object.entries(backup)) {
          if (now[rel]?.equals(bytes)) {
            unchanged.push(rel);
            continue;
          }
          const file = path.join(dir, rel);
          await fs.mkdirp(path.dirname(file));
          await atomicWriteFile(file, bytes, { mode: rel === ENV_FILE ? 0o600 : 0o644, backupDir: projectPaths(dir).backups, fs });
          restored.push(rel);
        }
        return { restored, unchanged, keptNow: Object.keys(now).filter((rel) => !(rel in backup)) };
      });
      // The paths, never the content: .env holds the secrets.
      appendAudit(rt.db, { actor, action, target: manifest.backupId, params: { snapshot, restored: result.restored }, sourceIp: caller.sourceIp, outcome: 'success', message: `${result.restored.length} project file(s) restored from the backup of ${manifest.startedAt}` });
      return { ok: true, data: result };
    } catch (err) {
      if (err instanceof CodedError) appendAudit(rt.db, { actor, action, params: { snapshot }, sourceIp: caller.sourceIp, outcome: 'failure', message: err.code });
      return failure(err);
    }
  });
}
