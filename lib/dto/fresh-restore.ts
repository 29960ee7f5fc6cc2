import type { BackupDto } from './backups';

/** One backup of the repository offered to a fresh host: its manifest, or why it cannot be read. */
export type FreshHostBackupDto =
  | { id: string; time: string; readable: true; backup: BackupDto }
  | { id: string; time: string; readable: false; code: string; message: string };

export type FreshHostBackupsDto =
  /** The SFTP server's host key is not pinned yet: show it, and ask again with it confirmed. */
  | { status: 'confirm-host-key'; host: string; port: number; fingerprint: string; keyType: string }
  /** Every backup the repository holds (any project: this host has none yet), newest first. */
  | { status: 'listed'; location: string; backups: FreshHostBackupDto[] };
