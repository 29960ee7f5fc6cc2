import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { localFileOps, type FileOps } from './file-ops';

export interface AtomicWriteOptions {
  /** File mode for a new file; an existing file keeps its own mode. */
  mode?: number;
  /** Keep the previous content as `<backupDir>/<basename>.<timestamp>` before replacing it. */
  backupDir?: string;
  /** Injected for tests; the backup name must sort chronologically. */
  now?: () => Date;
  /** Where the file lives: this host unless given (a remote deployment directory, #21). */
  fs?: FileOps;
}

export function backupTimestamp(date: Date): string {
  // Colons are not portable in file names; the ISO order is kept so names sort by time.
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * Replaces `file` so a reader (the CLI, compose, a crash) sees the old or the new content, never a
 * mix: temp file in the same directory (same filesystem, so rename is atomic), fsync, rename,
 * fsync of the directory so the rename itself survives a power cut.
 */
export async function atomicWriteFile(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<{ backupPath: string | null }> {
  const fs = options.fs ?? localFileOps;
  const dir = path.dirname(file);
  const base = path.basename(file);
  const existingMode = await fs.mode(file);
  const mode = existingMode ?? options.mode ?? 0o644;

  let backupPath: string | null = null;
  // null also when the file went away since fs.mode(): nothing to keep then.
  const previous = options.backupDir && existingMode !== null ? await fs.readFile(file) : null;
  if (options.backupDir && existingMode !== null && previous !== null) {
    await fs.mkdirp(options.backupDir, 0o700);
    const stamp = backupTimestamp((options.now ?? (() => new Date()))());
    backupPath = path.join(options.backupDir, `${base}.${stamp}`);
    // Backups of .env hold secrets: never wider than the original.
    const backupTmp = `${backupPath}.tmp-${randomBytes(6).toString('hex')}`;
    await fs.createFile(backupTmp, previous, existingMode & 0o700);
    await fs.rename(backupTmp, backupPath);
    await fs.syncDir(options.backupDir);
  }

  const tmp = path.join(dir, `.${base}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await fs.createFile(tmp, data, mode);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.remove(tmp);
    throw err;
  }
  await fs.syncDir(dir);
  return { backupPath };
}
