import 'server-only';
import fs from 'node:fs';
import type { ActionResult } from '@/lib/action-result';
import type { BackupTargetDto, RepositoryCheckDto, TestTargetDto } from '@/lib/dto/backup-target';
import { CodedError } from '@/lib/errors';
import { backupTargetInputSchema, testTargetInputSchema } from '@/lib/schemas/backup-target';
import { z } from 'zod';
import { authorize, type Caller } from '../auth/caller';
import { pinHostKey, readTarget, saveTarget, scanHostKey, targetFiles } from '../backup/target-store';
import type { StoredTarget } from '../backup/target';
import { appendAudit } from '../db/audit-log';
import type { Runtime } from '../runtime';
import { ensureRepository } from './backups';
import { invalid } from './operation-start';

// The backup repository setting (docs/backups.md#targets): admin only, since the target receives
// everything the backups hold. Saving stores it (0600 files in $DATA_DIR); "Test connection" opens
// the repository or creates it, pinning an SFTP server's host key the first time once the admin has
// confirmed its fingerprint; "Check repository" runs restic's integrity check.

function toDto(target: StoredTarget | null, defaultPath: string, dataDir: string): BackupTargetDto {
  if (!target) return { type: 'local', path: defaultPath, isDefault: true };
  switch (target.type) {
    case 'local':
      return { type: 'local', path: target.path, isDefault: false };
    case 'sftp':
      return { type: 'sftp', user: target.user, host: target.host, port: target.port, path: target.path, hasPrivateKey: fs.existsSync(targetFiles(dataDir).privateKey), hostKeyFingerprint: target.hostKeyFingerprint };
    case 's3':
      return { type: 's3', endpoint: target.endpoint, bucket: target.bucket, prefix: target.prefix, accessKeyId: target.accessKeyId, hasSecretAccessKey: true, hasCaCertificate: target.hasCaCertificate };
  }
}

const coded = (err: unknown): ActionResult<never> => {
  if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
  throw err;
};

export function getBackupTarget(rt: Runtime, caller: Caller): Promise<ActionResult<BackupTargetDto>> {
  return authorize(caller, 'admin', async () => {
    try {
      return { ok: true, data: toDto(readTarget(rt.env.dataDir), rt.env.backup.repository, rt.env.dataDir) };
    } catch (err) {
      return coded(err);
    }
  });
}

export function saveBackupTarget(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<BackupTargetDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = backupTargetInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    try {
      const stored = await saveTarget(rt.env.dataDir, parsed.data);
      const dto = toDto(stored, rt.env.backup.repository, rt.env.dataDir);
      // The DTO holds no credential: it is what the audit trail keeps of the new setting.
      appendAudit(rt.db, { actor, action: 'backups.target_save', target: rt.backups.repo.location, params: { ...dto }, sourceIp: caller.sourceIp, outcome: 'success' });
      return { ok: true, data: dto };
    } catch (err) {
      return coded(err);
    }
  });
}

export function testBackupTarget(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<TestTargetDto>> {
  return authorize(caller, 'admin', async (actor): Promise<ActionResult<TestTargetDto>> => {
    const parsed = testTargetInputSchema.safeParse(raw === undefined ? {} : raw); // no argument: the defaults; null and the rest: refused
    if (!parsed.success) return invalid(parsed.error);
    const location = rt.backups.repo.location;
    const audit = (outcome: 'success' | 'failure', message: string) =>
      appendAudit(rt.db, { actor, action: 'backups.target_test', target: location, sourceIp: caller.sourceIp, outcome, message });
    try {
      const target = readTarget(rt.env.dataDir);
      let fingerprint: string | null = null;
      if (target?.type === 'sftp') {
        // ssh itself refuses a changed key (strict checking against our known_hosts); reading the
        // key first lets the answer name both fingerprints, and asks for a first confirmation.
        const seen = await scanHostKey(target.host, target.port);
        if (target.hostKeyFingerprint && seen.fingerprint !== target.hostKeyFingerprint) {
          throw new CodedError(
            'BACKUP_HOST_KEY_CHANGED',
            `The SFTP server's host key changed: pinned ${target.hostKeyFingerprint}, presented now ${seen.fingerprint}. Nothing was sent. If the server was reinstalled, save the target again to forget the old key.`,
          );
        }
        if (!target.hostKeyFingerprint) {
          if (parsed.data.acceptHostKey !== seen.fingerprint) {
            return { ok: true, data: { status: 'confirm-host-key', host: target.host, port: target.port, fingerprint: seen.fingerprint, keyType: seen.type } };
          }
          await pinHostKey(rt.env.dataDir, seen);
          appendAudit(rt.db, { actor, action: 'backups.host_key_pin', target: `${target.host}:${target.port}`, params: { fingerprint: seen.fingerprint }, sourceIp: caller.sourceIp, outcome: 'success' });
        }
        fingerprint = seen.fingerprint;
      }
      // `restic cat config` (through isInitialised) opens the repository with the stored password:
      // a wrong one, a refused key or an unreachable host fails here with its own code.
      const existed = await rt.backups.repo.isInitialised();
      if (existed) await rt.backups.repo.open?.();
      const password = existed ? null : await ensureRepository(rt);
      audit('success', existed ? 'repository opened' : password !== null ? 'repository created; password shown once' : 'repository created with the stored password');
      return { ok: true, data: { status: 'connected', location, created: !existed, repositoryPassword: password, hostKeyFingerprint: fingerprint } };
    } catch (err) {
      if (err instanceof CodedError) audit('failure', err.code);
      return coded(err);
    }
  });
}

const checkInputSchema = z.strictObject({ readData: z.boolean().default(true) });

/** restic check: "no errors were found", or BACKUP_REPOSITORY_CORRUPT with restic's reason. */
export function checkBackupRepository(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<RepositoryCheckDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = checkInputSchema.safeParse(raw === undefined ? {} : raw); // no argument: the defaults; null and the rest: refused
    if (!parsed.success) return invalid(parsed.error);
    const repo = rt.backups.repo;
    const location = repo.location;
    const started = rt.clock.now().getTime();
    try {
      if (!repo.check) throw new CodedError('BACKUP_TOOL_FAILED', 'This repository cannot be checked.');
      if (!(await repo.isInitialised())) throw new CodedError('BACKUP_REPOSITORY_MISSING', 'There is no backup repository yet.');
      const res = await repo.check({ readData: parsed.data.readData });
      appendAudit(rt.db, { actor, action: 'backups.check', target: location, sourceIp: caller.sourceIp, outcome: 'success', message: res.output });
      return { ok: true, data: { location, readData: parsed.data.readData, output: res.output, durationMs: rt.clock.now().getTime() - started } };
    } catch (err) {
      if (err instanceof CodedError) appendAudit(rt.db, { actor, action: 'backups.check', target: location, sourceIp: caller.sourceIp, outcome: 'failure', message: err.code });
      return coded(err);
    }
  });
}
