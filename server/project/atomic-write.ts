import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** File mode for a new file; an existing file keeps its own mode. */
  mode?: number;
  /** Keep the previous content as `<backupDir>/<basename>.<timestamp>` before replacing it. */
  backupDir?: string;
  /** Injected for tests; the backup name must sort chronologically. */
  now?: () => Date;
}

export function backupTimestamp(date: Date): string {
  // Colons are not portable in file names; the ISO order is kept so names sort by time.
  return date.toISOString().replace(/[:.]/g, '-');
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeDurably(file: string, data: string | Uint8Array, mode: number): Promise<void> {
  const handle = await fs.open(file, 'wx', mode);
  try {
    // open() applies the umask; chmod makes the mode exact (a 0600 .env must stay 0600).
    await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function currentMode(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
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
  const dir = path.dirname(file);
  const base = path.basename(file);
  const existingMode = await currentMode(file);
  const mode = existingMode ?? options.mode ?? 0o644;

  let backupPath: string | null = null;
  if (options.backupDir && existingMode !== null) {
    const previous = await fs.readFile(file);
    await fs.mkdir(options.backupDir, { recursive: true, mode: 0o700 });
    const stamp = backupTimestamp((options.now ?? (() => new Date()))());
    backupPath = path.join(options.backupDir, `${base}.${stamp}`);
    // Backups of .env hold secrets: never wider than the original.
    const backupTmp = `${backupPath}.tmp-${randomBytes(6).toString('hex')}`;
    await writeDurably(backupTmp, previous, existingMode & 0o700);
    await fs.rename(backupTmp, backupPath);
    await fsyncDir(options.backupDir);
  }

  const tmp = path.join(dir, `.${base}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    await writeDurably(tmp, data, mode);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
  return { backupPath };
}
