import { createHash } from 'node:crypto';
import { BackupError, type BackupErrorCode } from './backup-error';

// How a stored target (lib/schemas/backup-target.ts) becomes restic's repository string, its extra
// arguments and its environment. Credentials go only into the environment (AWS_*) or 0600 files
// (the SSH key); the argv holds paths and validated names only, so nothing secret is on a command
// line or in a process listing.

export type StoredTarget =
  | { type: 'local'; path: string }
  | { type: 'sftp'; user: string; host: string; port: number; path: string; hostKeyFingerprint: string | null }
  | { type: 's3'; endpoint: string; bucket: string; prefix: string; accessKeyId: string; secretAccessKey: string; hasCaCertificate: boolean };

/** The files beside the stored target (all 0600, in $DATA_DIR/backup-target/). */
export interface TargetFiles {
  privateKey: string;
  knownHosts: string;
  caCertificate: string;
}

export interface ResticLocation {
  /** RESTIC_REPOSITORY. */
  repository: string;
  /** Where it is, for the page: never a credential. */
  display: string;
  /** Global options placed before restic's command. */
  args: string[];
  /** Extra environment (credentials). */
  env: Record<string, string>;
  /** A local directory: its presence can be read from the file system. */
  localPath: string | null;
}

/** restic splits `sftp.command` on white space and honours quotes: every part must need neither. */
const PLAIN = /^[A-Za-z0-9._/@:=,+-]+$/;

function plain(part: string, what: string): string {
  if (!PLAIN.test(part)) throw new BackupError('BACKUP_TARGET_INVALID', `The ${what} (${part}) holds a character restic's sftp.command cannot carry.`);
  return part;
}

/**
 * The ssh command restic runs for an SFTP target: only the pinned host key is accepted (strict
 * checking against our own known_hosts), only our key is offered, nothing is read from a user's
 * ssh configuration, and nothing may prompt.
 */
export function sftpCommand(t: { user: string; host: string; port: number }, files: Pick<TargetFiles, 'privateKey' | 'knownHosts'>, ssh = '/usr/bin/ssh', sshLog?: string): string {
  return [
    plain(ssh, 'ssh binary path'),
    '-F',
    '/dev/null',
    // ssh's own messages (host key changed, permission denied) go to a file of this run: restic
    // relays a subprocess's stderr, but may exit before it has, so stderr alone is not reliable.
    ...(sshLog ? ['-E', plain(sshLog, 'ssh log path')] : []),
    '-i',
    plain(files.privateKey, 'key file path'),
    '-p',
    String(t.port),
    '-l',
    plain(t.user, 'user'),
    '-o',
    `UserKnownHostsFile=${plain(files.knownHosts, 'known_hosts path')}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'ServerAliveInterval=15',
    plain(t.host, 'host'),
    '-s',
    'sftp',
  ].join(' ');
}

export function resticLocation(target: StoredTarget, files: TargetFiles, ssh?: string, sshLog?: string): ResticLocation {
  switch (target.type) {
    case 'local':
      return { repository: target.path, display: target.path, args: [], env: {}, localPath: target.path };
    case 'sftp': {
      const repository = `sftp:${target.user}@${target.host}:${target.path}`;
      return {
        repository,
        display: `sftp://${target.user}@${target.host}:${target.port}${target.path}`,
        // One argv element: restic itself splits the command it runs; no shell is involved.
        args: ['-o', `sftp.command=${sftpCommand(target, files, ssh, sshLog)}`],
        env: {},
        localPath: null,
      };
    }
    case 's3': {
      const base = target.endpoint.replace(/\/+$/, '');
      const repository = `s3:${base}/${target.bucket}${target.prefix ? `/${target.prefix}` : ''}`;
      return {
        repository,
        display: repository.slice(3),
        args: target.hasCaCertificate ? ['--cacert', files.caCertificate] : [],
        env: { AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey },
        localPath: null,
      };
    }
  }
}

/** OpenSSH's SHA256 fingerprint of a public key blob (base64, as in known_hosts). */
export function fingerprintOf(keyBase64: string): string {
  return 'SHA256:' + createHash('sha256').update(Buffer.from(keyBase64, 'base64')).digest('base64').replace(/=+$/, '');
}

export interface ScannedKey {
  /** The known_hosts line (`[host]:port type key`). */
  line: string;
  type: string;
  fingerprint: string;
}

const KEY_PREFERENCE = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/** The host key to pin from `ssh-keyscan` output: the strongest type the server offered. */
export function pickHostKey(keyscanOutput: string): ScannedKey | null {
  const keys: ScannedKey[] = [];
  for (const raw of keyscanOutput.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [hostPart, type, key] = line.split(/\s+/);
    if (!hostPart || !type || !key || !/^[A-Za-z0-9+/]+=*$/.test(key)) continue;
    keys.push({ line: `${hostPart} ${type} ${key}`, type, fingerprint: fingerprintOf(key) });
  }
  const rank = (k: ScannedKey) => (KEY_PREFERENCE.indexOf(k.type) + 1 || 99);
  return keys.sort((a, b) => rank(a) - rank(b))[0] ?? null;
}

/**
 * What restic's stderr says went wrong, as a coded error. The specific causes come first: restic
 * ends most failures to open a repository with "Is there a repository at the following location?",
 * a connection refused and a wrong access key included.
 */
export function classifyResticFailure(stderr: string): { code: BackupErrorCode; message: string } | null {
  if (!/REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr) && /host key is known for/i.test(stderr)) {
    return { code: 'BACKUP_HOST_KEY_UNKNOWN', message: 'The SFTP server\'s host key is not confirmed yet: run "Test connection" and confirm its fingerprint.' };
  }
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/i.test(stderr)) {
    return { code: 'BACKUP_HOST_KEY_CHANGED', message: 'The SFTP server did not present the pinned host key: nothing was sent to it. Run "Test connection" to see both fingerprints.' };
  }
  if (/Permission denied \(|InvalidAccessKeyId|SignatureDoesNotMatch|Access Denied|AccessDenied|The AWS Access Key Id you provided does not exist/i.test(stderr)) {
    return { code: 'BACKUP_TARGET_CREDENTIALS', message: 'The backup target refused the credentials (SSH key or S3 access key).' };
  }
  if (/connection refused|no route to host|no such host|i\/o timeout|Connection timed out|Could not resolve hostname|network is unreachable|ssh: connect to host|connection reset by peer|unable to start the sftp session|x509: |tls: /i.test(stderr)) {
    return { code: 'BACKUP_TARGET_UNREACHABLE', message: `The backup target cannot be reached: ${reasonLine(stderr)}` };
  }
  if (/The specified bucket does not exist|NoSuchBucket/i.test(stderr)) {
    return { code: 'BACKUP_TARGET_UNREACHABLE', message: 'The S3 bucket does not exist: create it first.' };
  }
  if (/wrong password|no key found/i.test(stderr)) return { code: 'BACKUP_WRONG_PASSWORD', message: 'The backup repository does not accept the stored password.' };
  // A local or SFTP disk says ENOSPC; S3 servers answer in their own words (MinIO: XMinioStorageFull
  // or HTTP 507 Insufficient Storage). s3rver, the test bed's, answers nothing: it exits.
  if (/no space left on device|disk quota exceeded|QuotaExceeded|EntityTooLarge|XMinioStorageFull|minimum free drive threshold|Insufficient Storage|InsufficientStorage/i.test(stderr)) {
    return { code: 'BACKUP_TARGET_FULL', message: 'The backup target is full: the backup was not completed.' };
  }
  if (/unable to open config file|repository does not exist|Is there a repository at the following location/i.test(stderr)) {
    return { code: 'BACKUP_REPOSITORY_MISSING', message: 'There is no backup repository at the configured location.' };
  }
  if (/repository is already locked/i.test(stderr)) return { code: 'BACKUP_REPOSITORY_LOCKED', message: `The repository is in use by another restic: ${lastLine(stderr)}` };
  return null;
}

/** The last non-empty stderr line, which is where restic says what failed. */
export function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? 'no message';
}

/**
 * Why restic failed: its last `Fatal:` line when there is one (after it, restic may still print
 * what its clean-up could not do, such as removing its lock from a target that is gone), else the
 * last line.
 */
export function reasonLine(stderr: string): string {
  const fatal = stderr.split('\n').map((l) => l.trim()).filter((l) => l.includes('Fatal: ')).at(-1);
  return fatal ? fatal.slice(fatal.indexOf('Fatal: ')) : lastLine(stderr);
}
