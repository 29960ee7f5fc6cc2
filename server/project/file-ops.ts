import { promises as fs } from 'node:fs';

/**
 * The few file operations the deployment directory's modules need, so the same code can reach a
 * directory on this host (node:fs) or, for a remote environment (#21), one on another host over
 * SFTP. Paths are absolute paths on the host that holds the directory.
 */
export interface FileOps {
  /** The file's bytes, or null when it does not exist; any other failure is the caller's to see. */
  readFile(file: string): Promise<Buffer | null>;
  /**
   * Creates `file`, which must not exist, with exactly `mode`, its content flushed to disk before
   * this resolves. Rejects with an error whose `code` is 'EEXIST' when it exists (the lock's guard).
   */
  createFile(file: string, data: string | Uint8Array, mode: number): Promise<void>;
  /** Atomic replace: `to` is the old or the new file, never a mix. */
  rename(from: string, to: string): Promise<void>;
  /** No error when it does not exist. */
  remove(file: string): Promise<void>;
  mkdirp(dir: string, mode?: number): Promise<void>;
  /** Entry names, or null when the directory does not exist. */
  list(dir: string): Promise<string[] | null>;
  /** Permission bits, or null when the file does not exist. */
  mode(file: string): Promise<number | null>;
  /** Makes a rename in `dir` survive a power cut (a no-op where the transport cannot). */
  syncDir(dir: string): Promise<void>;
}

/** A deployment directory and how to reach its files. */
export interface ProjectDir {
  readonly dir: string;
  readonly fs: FileOps;
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export const localFileOps: FileOps = {
  async readFile(file) {
    try {
      return await fs.readFile(file);
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  },
  async createFile(file, data, mode) {
    const handle = await fs.open(file, 'wx', mode);
    try {
      // open() applies the umask; chmod makes the mode exact (a 0600 .env must stay 0600).
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fs.rename(from, to),
  remove: (file) => fs.rm(file, { force: true }),
  async mkdirp(dir, mode) {
    await fs.mkdir(dir, { recursive: true, ...(mode === undefined ? {} : { mode }) });
  },
  async list(dir) {
    try {
      return await fs.readdir(dir);
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  },
  async mode(file) {
    try {
      return (await fs.stat(file)).mode & 0o777;
    } catch (err) {
      if (missing(err)) return null;
      throw err;
    }
  },
  async syncDir(dir) {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
};

/** A deployment directory on this host. */
export const localDir = (dir: string): ProjectDir => ({ dir, fs: localFileOps });
