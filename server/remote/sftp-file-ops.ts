import 'server-only';
import path from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import type { FileOps } from '../project/file-ops';

// The deployment directory's FileOps over SFTP (server/project/file-ops.ts), so every project
// module (.env edits with their backups, the lock's exclusive create, state files, release
// records) runs unchanged on a remote environment's directory.

// SFTP status codes (draft-ietf-secsh-filexfer-02 §7) that ssh2 puts on its errors as `code`.
export const SFTP_NO_SUCH_FILE = 2;
export const SFTP_PERMISSION_DENIED = 3;
const SFTP_FAILURE = 4;
const WRITE_CHUNK = 32 * 1024;

type Callback<T> = (err: Error | null | undefined, value: T) => void;
const call = <T>(fn: (cb: Callback<T>) => void) => new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
const isMissing = (err: unknown) => (err as { code?: unknown }).code === SFTP_NO_SUCH_FILE;

/**
 * `session` yields the live SFTP channel (re-opened after a drop); `fail` turns an SFTP or
 * connection error into the caller's coded error, naming what was being done.
 */
export function sftpFileOps(session: () => Promise<SFTPWrapper>, fail: (err: unknown, what: string) => Error): FileOps {
  const stat = async (s: SFTPWrapper, file: string): Promise<Stats | null> => {
    try {
      return await call<Stats>((cb) => s.stat(file, cb));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  };
  const guarded = async <T>(what: string, fn: (s: SFTPWrapper) => Promise<T>): Promise<T> => {
    const s = await session();
    try {
      return await fn(s);
    } catch (err) {
      // EEXIST is the lock's answer, not a failure (state-files.ts reads the code).
      if ((err as { code?: unknown }).code === 'EEXIST') throw err;
      throw fail(err, what);
    }
  };
  return {
    readFile: (file) =>
      guarded(`Reading ${path.posix.basename(file)}`, async (s) => {
        try {
          return await call<Buffer>((cb) => s.readFile(file, cb));
        } catch (err) {
          if (isMissing(err)) return null;
          throw err;
        }
      }),
    createFile: (file, data, mode) =>
      guarded(`Writing ${path.posix.basename(file)}`, async (s) => {
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
        let handle: Buffer;
        try {
          handle = await call<Buffer>((cb) => s.open(file, 'wx', { mode }, cb));
        } catch (err) {
          // SFTP v3 has no "already exists" status: OpenSSH answers a plain failure to O_EXCL.
          if ((err as { code?: unknown }).code === SFTP_FAILURE && (await stat(s, file))) throw Object.assign(new Error(`${file} exists`), { code: 'EEXIST' });
          throw err;
        }
        try {
          // The server applies its umask to open's mode; set it exactly (0600 for secrets).
          await call<void>((cb) => s.fchmod(handle, mode, cb));
          for (let off = 0; off < bytes.length; off += WRITE_CHUNK) {
            const len = Math.min(WRITE_CHUNK, bytes.length - off);
            await call<void>((cb) => s.write(handle, bytes, off, len, off, (e) => cb(e, undefined)));
          }
          await call<void>((cb) => s.ext_openssh_fsync(handle, (e) => cb(e, undefined)));
        } finally {
          await call<void>((cb) => s.close(handle, cb)).catch(() => undefined);
        }
      }),
    // posix-rename replaces the target in one step; plain SFTP rename refuses an existing target.
    rename: (from, to) => guarded(`Renaming ${path.posix.basename(from)}`, (s) => call<void>((cb) => s.ext_openssh_rename(from, to, cb))),
    remove: (file) =>
      guarded(`Removing ${path.posix.basename(file)}`, async (s) => {
        await call<void>((cb) => s.unlink(file, cb)).catch((err) => {
          if (!isMissing(err)) throw err;
        });
      }),
    mkdirp: (dir, mode) =>
      guarded(`Creating ${dir}`, async (s) => {
        const missing: string[] = [];
        for (let d = path.posix.normalize(dir); d !== '/' && !(await stat(s, d)); d = path.posix.dirname(d)) missing.unshift(d);
        for (const d of missing) await call<void>((cb) => s.mkdir(d, mode === undefined ? {} : { mode }, cb));
      }),
    list: (dir) =>
      guarded(`Listing ${dir}`, async (s) => {
        try {
          return (await call<{ filename: string }[]>((cb) => s.readdir(dir, cb))).map((e) => e.filename);
        } catch (err) {
          if (isMissing(err)) return null;
          throw err;
        }
      }),
    mode: (file) =>
      guarded(`Reading ${path.posix.basename(file)}`, async (s) => {
        const st = await stat(s, file);
        return st ? st.mode & 0o777 : null;
      }),
    // SFTP cannot fsync a directory (OpenSSH's fsync extension takes a file handle): the rename is
    // atomic for readers; its durability across a power cut is the remote filesystem's.
    syncDir: async () => {},
  };
}
