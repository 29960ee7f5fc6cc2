import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BackupTargetInput } from '@/lib/schemas/backup-target';
import { atomicWriteFile } from '../project/atomic-write';
import { BackupError } from './backup-error';
import { pickHostKey, resticLocation, type ResticLocation, type ScannedKey, type StoredTarget, type TargetFiles } from './target';

// The repository setting, kept in $DATA_DIR/backup-target/ (0700), every file 0600 and written
// atomically: target.json (the setting, the S3 secret key included), sftp-key (the SSH private
// key), known_hosts (the pinned host key) and s3-ca.pem. Not in the project's .env: the console
// owns it, and it must survive a restore of the project's files.

const storedSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('local'), path: z.string().regex(/^\//) }),
  z.strictObject({
    type: z.literal('sftp'),
    user: z.string().min(1),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    path: z.string().regex(/^\//),
    hostKeyFingerprint: z.string().nullable(),
  }),
  z.strictObject({
    type: z.literal('s3'),
    endpoint: z.string().min(1),
    bucket: z.string().min(1),
    prefix: z.string(),
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
    hasCaCertificate: z.boolean(),
  }),
]);

export function targetFiles(dataDir: string): TargetFiles & { dir: string; setting: string } {
  const dir = path.join(dataDir, 'backup-target');
  return {
    dir,
    setting: path.join(dir, 'target.json'),
    privateKey: path.join(dir, 'sftp-key'),
    knownHosts: path.join(dir, 'known_hosts'),
    caCertificate: path.join(dir, 's3-ca.pem'),
  };
}

/** The stored setting, or null for the default (a local directory from BACKUP_REPOSITORY). */
export function readTarget(dataDir: string): StoredTarget | null {
  let text: string;
  try {
    text = fs.readFileSync(targetFiles(dataDir).setting, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = storedSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new BackupError('BACKUP_TARGET_INVALID', 'The stored backup target setting is unreadable: save it again.');
  return parsed.data;
}

/** restic's location for the current setting, read at every call (a new setting applies at once). */
export function targetLocation(dataDir: string, defaultRepository: string, ssh?: string): (run?: { sshLog: string }) => ResticLocation {
  return (run) => {
    const target = readTarget(dataDir) ?? { type: 'local' as const, path: defaultRepository };
    return resticLocation(target, targetFiles(dataDir), ssh, run?.sshLog);
  };
}

async function write(file: string, text: string): Promise<void> {
  await atomicWriteFile(file, text, { mode: 0o600 });
  // An existing file keeps its own mode in atomicWriteFile's contract: these must be 0600 anyway.
  await fs.promises.chmod(file, 0o600);
}

/**
 * Stores a new setting. Secrets left out of the input (the key, the S3 secret) keep their stored
 * value when the target type is unchanged; a new SFTP host or port forgets the pinned host key.
 */
export async function saveTarget(dataDir: string, input: BackupTargetInput): Promise<StoredTarget> {
  const files = targetFiles(dataDir);
  await fs.promises.mkdir(files.dir, { recursive: true, mode: 0o700 });
  const previous = readTarget(dataDir);
  let stored: StoredTarget;
  switch (input.type) {
    case 'local':
      stored = { type: 'local', path: input.path };
      break;
    case 'sftp': {
      const same = previous?.type === 'sftp' && previous.host === input.host && previous.port === input.port;
      if (input.privateKey) await write(files.privateKey, input.privateKey);
      else if (!(previous?.type === 'sftp' && fs.existsSync(files.privateKey))) {
        throw new BackupError('BACKUP_TARGET_INVALID', 'An SFTP target needs a private key.');
      }
      if (!same) await fs.promises.rm(files.knownHosts, { force: true });
      stored = { type: 'sftp', user: input.user, host: input.host, port: input.port, path: input.path, hostKeyFingerprint: same ? previous.hostKeyFingerprint : null };
      break;
    }
    case 's3': {
      const secret = input.secretAccessKey ?? (previous?.type === 's3' ? previous.secretAccessKey : undefined);
      if (!secret) throw new BackupError('BACKUP_TARGET_INVALID', 'An S3 target needs a secret access key.');
      if (input.caCertificate) await write(files.caCertificate, input.caCertificate);
      else await fs.promises.rm(files.caCertificate, { force: true });
      stored = { type: 's3', endpoint: input.endpoint.replace(/\/+$/, ''), bucket: input.bucket, prefix: input.prefix, accessKeyId: input.accessKeyId, secretAccessKey: secret, hasCaCertificate: Boolean(input.caCertificate) };
      break;
    }
  }
  if (stored.type !== 'sftp') {
    await fs.promises.rm(files.privateKey, { force: true });
    await fs.promises.rm(files.knownHosts, { force: true });
  }
  await write(files.setting, JSON.stringify(stored, null, 2) + '\n');
  return stored;
}

/** Pins the confirmed host key: ssh accepts only it from now on. */
export async function pinHostKey(dataDir: string, key: ScannedKey): Promise<void> {
  const files = targetFiles(dataDir);
  const target = readTarget(dataDir);
  if (target?.type !== 'sftp') throw new BackupError('BACKUP_TARGET_INVALID', 'The backup target is not SFTP.');
  await write(files.knownHosts, key.line + '\n');
  await write(files.setting, JSON.stringify({ ...target, hostKeyFingerprint: key.fingerprint }, null, 2) + '\n');
}

/** The host key the SFTP server presents now (`ssh-keyscan`, argv only, 10 s at most). */
export function scanHostKey(host: string, port: number, keyscan = '/usr/bin/ssh-keyscan'): Promise<ScannedKey> {
  return new Promise((resolve, reject) => {
    const child = spawn(keyscan, ['-T', '10', '-p', String(port), '--', host], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: '/usr/bin:/bin' } as unknown as NodeJS.ProcessEnv });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.stderr.resume();
    child.on('error', (err) => reject(new BackupError('BACKUP_TOOL_MISSING', `ssh-keyscan could not be started: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    child.on('close', () => {
      const key = pickHostKey(out);
      if (key) resolve(key);
      else reject(new BackupError('BACKUP_TARGET_UNREACHABLE', `The SFTP server at ${host}:${port} cannot be reached (no SSH host key was read).`));
    });
  });
}
