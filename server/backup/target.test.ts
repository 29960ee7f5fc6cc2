import { describe, expect, it } from 'vitest';
import { isSecretKey } from '@/lib/settings/env-catalog';
import { backupTargetInputSchema } from '@/lib/schemas/backup-target';
import { classifyResticFailure, fingerprintOf, pickHostKey, resticLocation, sftpCommand } from './target';

// The target setting's schema, the ssh command restic runs for SFTP, the S3 credentials in the
// environment only, and the coded errors read from restic's stderr (lines as restic 0.14, OpenSSH
// 9.2 and s3rver print them on this test bed).

const files = { privateKey: '/data/backup-target/sftp-key', knownHosts: '/data/backup-target/known_hosts', caCertificate: '/data/backup-target/s3-ca.pem' };
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ==\n-----END OPENSSH PRIVATE KEY-----\n';

describe('the target setting', () => {
  it('accepts each kind and refuses what could reach a command line', () => {
    expect(backupTargetInputSchema.safeParse({ type: 'local', path: '/srv/backups' }).success).toBe(true);
    expect(backupTargetInputSchema.safeParse({ type: 'sftp', user: 'tale', host: 'backup.example.com', port: 22, path: '/srv/repo', privateKey: KEY }).success).toBe(true);
    expect(backupTargetInputSchema.safeParse({ type: 's3', endpoint: 'https://s3.example.com', bucket: 'tale-backups', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'x' }).data).toMatchObject({ prefix: '' });
    const bad = [
      { type: 'local', path: 'relative/dir' },
      { type: 'local', path: '/srv/../etc' },
      { type: 'local', path: '/srv/with space' },
      { type: 'sftp', user: 'tale', host: 'h -oProxyCommand=x', port: 22, path: '/r', privateKey: KEY },
      { type: 'sftp', user: '-oProxyCommand=x', host: 'h', port: 22, path: '/r', privateKey: KEY },
      { type: 'sftp', user: 'tale', host: 'h', port: 0, path: '/r', privateKey: KEY },
      { type: 'sftp', user: 'tale', host: 'h', port: 22, path: '/r', privateKey: 'not a key' },
      { type: 'sftp', user: 'tale', host: 'h', port: 22, path: '/r', privateKey: KEY, extra: 1 },
      { type: 's3', endpoint: 'https://user:pw@s3.example.com', bucket: 'b-1', accessKeyId: 'AKIA1' },
      { type: 's3', endpoint: 'https://s3.example.com/path', bucket: 'b-1', accessKeyId: 'AKIA1' },
      { type: 's3', endpoint: 'ftp://s3.example.com', bucket: 'b-1', accessKeyId: 'AKIA1' },
      { type: 's3', endpoint: 'https://s3.example.com', bucket: 'Bad_Bucket', accessKeyId: 'AKIA1' },
      { type: 's3', endpoint: 'https://s3.example.com', bucket: 'b-1', prefix: '/abs', accessKeyId: 'AKIA1' },
      { type: 'nfs', path: '/x' },
    ];
    for (const input of bad) expect(backupTargetInputSchema.safeParse(input).success, JSON.stringify(input)).toBe(false);
  });

  it('names the credentials as secrets for the scrubbers', () => {
    expect(isSecretKey('AWS_SECRET_ACCESS_KEY')).toBe(true);
  });
});

describe('restic for each target', () => {
  it('runs ssh for SFTP with the pinned known_hosts, strict checking and no prompt, as one argv element', () => {
    const loc = resticLocation({ type: 'sftp', user: 'tale', host: '10.0.0.5', port: 2222, path: '/srv/repo', hostKeyFingerprint: 'SHA256:x' }, files);
    expect(loc.repository).toBe('sftp:tale@10.0.0.5:/srv/repo');
    expect(loc.args).toEqual([
      '-o',
      'sftp.command=/usr/bin/ssh -F /dev/null -i /data/backup-target/sftp-key -p 2222 -l tale -o UserKnownHostsFile=/data/backup-target/known_hosts -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=10 -o ServerAliveInterval=15 10.0.0.5 -s sftp',
    ]);
    expect(loc.env).toEqual({});
    // With a log file for the run, ssh's own messages go there.
    const logged = resticLocation({ type: 'sftp', user: 'tale', host: '10.0.0.5', port: 2222, path: '/srv/repo', hostKeyFingerprint: null }, files, undefined, '/data/restic-cache/ssh-1.log');
    expect(logged.args[1]).toContain(' -F /dev/null -E /data/restic-cache/ssh-1.log -i ');
  });

  it('refuses a data directory that restic would split into two arguments', () => {
    expect(() => sftpCommand({ user: 'tale', host: 'h', port: 22 }, { privateKey: '/data dir/key', knownHosts: '/k' })).toThrow(expect.objectContaining({ code: 'BACKUP_TARGET_INVALID' }));
    expect(() => sftpCommand({ user: 'tale', host: 'h', port: 22 }, { privateKey: "/d/'k", knownHosts: '/k' })).toThrow(expect.objectContaining({ code: 'BACKUP_TARGET_INVALID' }));
  });

  it('gives S3 credentials through the environment only', () => {
    const loc = resticLocation({ type: 's3', endpoint: 'https://s3.example.com', bucket: 'tb', prefix: 'tale/prod', accessKeyId: 'AKIA1', secretAccessKey: 'very-secret-key', hasCaCertificate: true }, files);
    expect(loc.repository).toBe('s3:https://s3.example.com/tb/tale/prod');
    expect(loc.env).toEqual({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'very-secret-key' });
    expect(loc.args).toEqual(['--cacert', files.caCertificate]);
    expect(JSON.stringify([loc.args, loc.display, loc.repository])).not.toContain('very-secret-key');
  });
});

describe('host keys', () => {
  it('fingerprints as OpenSSH does and pins the strongest key offered', () => {
    const ed = 'AAAAC3NzaC1lZDI1NTE5AAAAIDmVxmAkgiUn0a8yaJOp/Xw5TPcljvtL0FFtaJ4wv1ik';
    // What `ssh-keygen -lf` prints for this key.
    expect(fingerprintOf(ed)).toBe('SHA256:gB87fVWShW2dZ2+mpdgfwUqfCuyHKcD4OPIEXDBFb3U');
    const out = `# 127.0.0.1:2222 SSH-2.0-OpenSSH_9.2p1\n[127.0.0.1]:2222 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ==\n[127.0.0.1]:2222 ssh-ed25519 ${ed}\n`;
    expect(pickHostKey(out)).toEqual({ line: `[127.0.0.1]:2222 ssh-ed25519 ${ed}`, type: 'ssh-ed25519', fingerprint: fingerprintOf(ed) });
    expect(pickHostKey('')).toBeNull();
  });
});

describe("restic's failures, coded", () => {
  const cases: [string, string][] = [
    ['subprocess /usr/bin/ssh: ssh: connect to host 127.0.0.1 port 1: Connection refused\nFatal: unable to open repository at sftp:u@127.0.0.1:/r: unable to start the sftp session, error: EOF', 'BACKUP_TARGET_UNREACHABLE'],
    ['subprocess /usr/bin/ssh: root@127.0.0.1: Permission denied (publickey,password,keyboard-interactive).\nFatal: unable to open repository at sftp:root@127.0.0.1:/r: unable to start the sftp session, error: EOF', 'BACKUP_TARGET_CREDENTIALS'],
    ['subprocess /usr/bin/ssh: No ED25519 host key is known for [127.0.0.1]:2299 and you have requested strict checking.\nsubprocess /usr/bin/ssh: Host key verification failed.\nFatal: unable to open repository', 'BACKUP_HOST_KEY_UNKNOWN'],
    ['subprocess /usr/bin/ssh: @@@@@@@@@@@@\nsubprocess /usr/bin/ssh: @    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nsubprocess /usr/bin/ssh: Host key verification failed.\nFatal: unable to open repository', 'BACKUP_HOST_KEY_CHANGED'],
    ['Fatal: unable to open config file: Stat: Get "https://127.0.0.1:1/b/?location=": dial tcp 127.0.0.1:1: connect: connection refused\nIs there a repository at the following location?\ns3:https://127.0.0.1:1/b/p', 'BACKUP_TARGET_UNREACHABLE'],
    ['Fatal: unable to open config file: Stat: The AWS Access Key Id you provided does not exist in our records.\nIs there a repository at the following location?', 'BACKUP_TARGET_CREDENTIALS'],
    ['Fatal: unable to open config file: Stat: The specified bucket does not exist\nIs there a repository at the following location?', 'BACKUP_TARGET_UNREACHABLE'],
    ['Fatal: wrong password or no key found', 'BACKUP_WRONG_PASSWORD'],
    ['Fatal: unable to save snapshot: write /mnt/repo/data/3f/3f2a: no space left on device', 'BACKUP_TARGET_FULL'],
    ['Fatal: unable to save snapshot: client.PutObject: Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.', 'BACKUP_TARGET_FULL'],
    ['Save(<data/0a30ca53a3>) returned error: client.PutObject: 507 Insufficient Storage', 'BACKUP_TARGET_FULL'],
    ['Fatal: unable to open config file: Lstat: file does not exist\nIs there a repository at the following location?\nsftp:root@127.0.0.1:/r', 'BACKUP_REPOSITORY_MISSING'],
  ];
  it.each(cases)('%s', (stderr, code) => {
    expect(classifyResticFailure(stderr)?.code).toBe(code);
  });

  it("says restic's Fatal line, not the clean-up lines after it", () => {
    // Measured against s3rver that exited when its disk filled up (backup-faults.integration.test.ts).
    const stderr = [
      'Save(<data/0a30ca53a3>) returned error, retrying after 4.5s: client.PutObject: Put "https://127.0.0.1:39113/b/p/data/0a/0a30": dial tcp 127.0.0.1:39113: connect: connection refused',
      'error while unlocking: client.RemoveObject: Delete "https://127.0.0.1:39113/b/p/locks/d065": dial tcp 127.0.0.1:39113: connect: connection refused' +
        'Fatal: unable to save snapshot: client.PutObject: Put "https://127.0.0.1:39113/b/p/data/0a/0a30": dial tcp 127.0.0.1:39113: connect: connection refused',
      'error in cleanup handler: client.RemoveObject: Delete "https://127.0.0.1:39113/b/p/locks/d065": dial tcp 127.0.0.1:39113: connect: connection refused',
    ].join('\n');
    expect(classifyResticFailure(stderr)).toEqual({
      code: 'BACKUP_TARGET_UNREACHABLE',
      message: 'The backup target cannot be reached: Fatal: unable to save snapshot: client.PutObject: Put "https://127.0.0.1:39113/b/p/data/0a/0a30": dial tcp 127.0.0.1:39113: connect: connection refused',
    });
  });

  it('leaves what it does not know to the caller', () => {
    expect(classifyResticFailure('Fatal: something new')).toBeNull();
  });
});
