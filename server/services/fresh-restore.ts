import 'server-only';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ActionResult } from '@/lib/action-result';
import type { FreshHostBackupDto, FreshHostBackupsDto } from '@/lib/dto/fresh-restore';
import type { OperationDto } from '@/lib/dto/operations';
import { CodedError } from '@/lib/errors';
import { freshRepositorySchema, freshRestoreSchema, type FreshRepositoryInput } from '@/lib/schemas/fresh-restore';
import { authorize, type Caller } from '../auth/caller';
import { readManifest, runRestore } from '../backup/backup-engine';
import { BackupError } from '../backup/backup-error';
import { adoptStagedTarget, assertFreshDirectory, writeProjectFiles, writeStagedSecret } from '../backup/fresh-host';
import { tags, toBackupDto, type BackupManifest } from '../backup/manifest';
import type { BackupPorts, BackupRepository } from '../backup/ports';
import { pinHostKey, readTarget, saveTarget, scanHostKey } from '../backup/target-store';
import { appendAudit } from '../db/audit-log';
import { underLock } from '../engine/deployment-lock';
import { containerName } from '../stack/stack-names';
import type { Runtime } from '../runtime';
import { backupFiles } from './backup-project-files';
import { backupPorts } from './backup-ports';
import { invalid, launch } from './operation-start';
import { deployRecordedRelease } from './restore-steps';

// A restore into a fresh host, from the initialise screen (docs/backups.md#restore-into-a-new-host).
// The admin names a repository and its password; the console lists its backups (any project's:
// this host has none yet), and restores the chosen one as a `restore` operation: the backup's
// project files into the empty deployment directory, the repository made this console's backup
// target, the recorded release deployed by digest, then the databases and volumes restored as a
// normal restore does. Nothing is written into the deployment directory before the repository
// answered and the manifest and project files were read.

const SAFETY_STEP = 'pre-restore-backup';
const NOTHING_TO_PROTECT = 'A fresh host: the deployment directory was empty, so there is no current state to protect.';

/** Where the repository offered by the admin is staged: apart from the console's own setting. */
function staging(rt: Runtime) {
  const dataDir = path.join(rt.env.dataDir, 'fresh-restore');
  return { dataDir, passwordFile: path.join(dataDir, 'repository-password') };
}

type Opened = { status: 'open'; repo: BackupRepository } | Extract<FreshHostBackupsDto, { status: 'confirm-host-key' }>;

/**
 * Stages the target and password (0600, in the console's data directory) and opens the repository
 * with them: a wrong password, an unreachable target or no repository at all is a coded error. An
 * SFTP server seen for the first time answers its fingerprint to be confirmed, as "Test connection" does.
 */
async function openOffered(rt: Runtime, input: FreshRepositoryInput): Promise<Opened> {
  const s = staging(rt);
  await fs.mkdir(s.dataDir, { recursive: true, mode: 0o700 });
  await saveTarget(s.dataDir, input.target);
  await writeStagedSecret(s.passwordFile, input.password);
  const target = readTarget(s.dataDir);
  if (target?.type === 'sftp') {
    const seen = await scanHostKey(target.host, target.port);
    if (target.hostKeyFingerprint && seen.fingerprint !== target.hostKeyFingerprint) {
      throw new BackupError('BACKUP_HOST_KEY_CHANGED', `The SFTP server's host key changed: confirmed ${target.hostKeyFingerprint}, presented now ${seen.fingerprint}. Nothing was sent.`);
    }
    if (!target.hostKeyFingerprint) {
      if (input.acceptHostKey !== seen.fingerprint) return { status: 'confirm-host-key', host: target.host, port: target.port, fingerprint: seen.fingerprint, keyType: seen.type };
      await pinHostKey(s.dataDir, seen);
    }
  }
  const repo = rt.backups.repositoryAt(s.dataDir, s.passwordFile);
  if (!(await repo.isInitialised())) throw new BackupError('BACKUP_REPOSITORY_MISSING', `There is no backup repository at ${repo.location}: nothing was written.`);
  // `restic cat config`: the password (and the target's credentials) proven, nothing written.
  await repo.open?.();
  return { status: 'open', repo };
}

/** Every backup of the repository, newest first; one whose manifest cannot be read says why. */
export async function offeredBackups(repo: BackupRepository): Promise<FreshHostBackupDto[]> {
  const snapshots = await repo.snapshots([tags.manifest]);
  if (snapshots.length === 0) throw new BackupError('FRESH_RESTORE_EMPTY', `The repository at ${repo.location} holds no complete backup: there is nothing to restore.`);
  const out: FreshHostBackupDto[] = [];
  for (const s of snapshots) {
    try {
      out.push({ id: s.id, time: s.time, readable: true, backup: toBackupDto(s.id, await readManifest({ repo }, s.id)) });
    } catch (err) {
      if (!(err instanceof CodedError)) throw err;
      out.push({ id: s.id, time: s.time, readable: false, code: err.code, message: err.message });
    }
  }
  return out.sort((a, b) => b.time.localeCompare(a.time));
}

const failed = (err: unknown): ActionResult<never> => {
  if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
  throw err;
};

/** Lists the backups of the repository the admin named (POST: the body carries its password). */
export function listFreshHostBackups(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<FreshHostBackupsDto>> {
  return authorize(caller, 'admin', async (actor): Promise<ActionResult<FreshHostBackupsDto>> => {
    const parsed = freshRepositorySchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const audit = (outcome: 'success' | 'failure', target: string | null, message: string) =>
      appendAudit(rt.db, { actor, action: 'backups.fresh_host_list', target, params: { type: parsed.data.target.type }, sourceIp: caller.sourceIp, outcome, message });
    try {
      await assertFreshDirectory(rt.files);
      const opened = await openOffered(rt, parsed.data);
      if (opened.status !== 'open') return { ok: true, data: opened };
      const backups = await offeredBackups(opened.repo);
      audit('success', opened.repo.location, `${backups.length} backup(s) listed`);
      return { ok: true, data: { status: 'listed', location: opened.repo.location, backups } };
    } catch (err) {
      if (err instanceof CodedError) audit('failure', null, err.code);
      return failed(err);
    }
  });
}

/** Waits (bounded) for Tale's db init scripts, which run after the server answers: a database dropped before they end would race them. */
async function waitInitScripts(p: BackupPorts, container: string, signal: AbortSignal): Promise<void> {
  const until = p.clock.now().getTime() + 120_000;
  while (p.clock.now().getTime() < until) {
    const run = await p.exec.start(container, ['test', '-f', '/tmp/.db_ready']);
    run.stdout.resume();
    run.stderr.resume();
    if ((await run.exit) === 0) return;
    await p.clock.sleep(500, signal);
  }
  // An image without the marker: its health check passed, which is all that can be known.
}

/**
 * Restores a backup into this fresh host (admin; the backup's project id typed as confirmation).
 * The repository, the manifest and the project files are read and checked before the operation
 * starts; the operation then writes the project files, adopts the repository as this console's
 * backup target, deploys the recorded release and restores the data under one deployment lock.
 */
export function startFreshHostRestore(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<OperationDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = freshRestoreSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const { snapshot, projectId: typed } = parsed.data;
    const action = 'operations.restore';
    const deny = (message: string) => appendAudit(rt.db, { actor, action, params: { snapshot, freshHost: true }, sourceIp: caller.sourceIp, outcome: 'denied', message });
    let manifest: BackupManifest;
    let files: Record<string, Buffer>;
    try {
      await assertFreshDirectory(rt.files);
      const opened = await openOffered(rt, parsed.data);
      if (opened.status !== 'open') {
        throw new BackupError('BACKUP_HOST_KEY_NOT_CONFIRMED', `Confirm the SFTP server's host key first (${opened.keyType} ${opened.fingerprint}): list the backups and confirm it.`);
      }
      manifest = await readManifest({ repo: opened.repo }, snapshot);
      if (typed !== manifest.projectId) {
        deny('project id confirmation did not match');
        return { ok: false, code: 'CONFIRMATION_MISMATCH', message: 'That is not the backup’s project id. Nothing was written.', fieldErrors: { projectId: ['Type the backup’s project id exactly as shown'] } };
      }
      if (!manifest.release) throw new BackupError('FRESH_RESTORE_NO_RELEASE', 'That backup records no deployed release, so there is no release to bring back on this host.');
      files = await backupFiles({ repo: opened.repo }, manifest);
      if (!files['tale.json'] || !files['.env']) throw new BackupError('BACKUP_MANIFEST_INVALID', 'That backup lacks its tale.json or .env: it cannot set up a deployment directory.');
      // The console's own password file, if one exists, belongs to a repository it made: never lost.
      const own = await fs.readFile(rt.env.backup.passwordFile, 'utf8').catch(() => null);
      if (own !== null && own.trim() !== parsed.data.password) {
        throw new BackupError('FRESH_RESTORE_PASSWORD_EXISTS', `This console already holds the password of another backup repository (${rt.env.backup.passwordFile}); it is not replaced. Move it away first if it is no longer needed.`);
      }
    } catch (err) {
      if (err instanceof CodedError) deny(err.code);
      return failed(err);
    }
    const m = manifest;
    const params = { snapshot, backupId: m.backupId, backupStartedAt: m.startedAt, projectId: m.projectId, freshHost: true };
    return launch({ rt, caller, actor }, 'restore', params, async (ports, signal) => {
      const written = await rt.writes(async () => {
        // Checked again: the directory could have been written to since the request was checked.
        await assertFreshDirectory(rt.files);
        ports.events.emit({ step: 'restore', status: 'started', data: { item: 'project-files' } });
        return writeProjectFiles(rt.files, files);
      });
      ports.events.emit({ step: 'restore', status: 'succeeded', data: { item: 'project-files', files: written } });
      await adoptStagedTarget(staging(rt), { dataDir: rt.env.dataDir, passwordFile: rt.env.backup.passwordFile });
      ports.events.emit({ step: 'restore', status: 'succeeded', data: { item: 'backup-target', location: rt.backups.repo.location } });
      ports.events.emit({ step: SAFETY_STEP, status: 'skipped', data: { reason: NOTHING_TO_PROTECT } });
      const p = backupPorts(rt, ports);
      return underLock(p, 'restore into a fresh host', async () => {
        // The db container and the volumes must exist before anything can be restored into them:
        // the backup's own release, by digest, is deployed first, then the data replaced under the
        // same lock, and the writers restarted on it through the health gate.
        const release = m.release!;
        ports.events.emit({ step: 'restore', status: 'started', data: { item: 'release', version: release.version, from: null } });
        const { color } = await deployRecordedRelease(ports, release, signal);
        ports.events.emit({ step: 'restore', status: 'succeeded', data: { item: 'release', version: release.version, color } });
        await waitInitScripts(p, containerName(m.projectId, 'db', null), signal);
        const result = await runRestore(p, { manifest: m, signal, lockHeld: true });
        return { ...result, release: release.version, freshHost: true, projectFiles: written, safetyBackupSkipped: NOTHING_TO_PROTECT };
      });
    });
  });
}
