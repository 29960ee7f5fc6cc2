// The backup target as the page and the API show it: never a credential (the SSH private key and
// the S3 secret key are write-only; only whether one is stored is shown).

export type BackupTargetDto =
  | { type: 'local'; path: string; isDefault: boolean }
  | { type: 'sftp'; user: string; host: string; port: number; path: string; hasPrivateKey: boolean; hostKeyFingerprint: string | null }
  | { type: 's3'; endpoint: string; bucket: string; prefix: string; accessKeyId: string; hasSecretAccessKey: boolean; hasCaCertificate: boolean };

export type TestTargetDto =
  /** The SFTP server's host key is not pinned yet: show it, and test again with it confirmed. */
  | { status: 'confirm-host-key'; host: string; port: number; fingerprint: string; keyType: string }
  /** The repository opened (or was created, with its password shown here once). */
  | { status: 'connected'; location: string; created: boolean; repositoryPassword: string | null; hostKeyFingerprint: string | null };

export interface RepositoryCheckDto {
  location: string;
  readData: boolean;
  output: string;
  durationMs: number;
}
