import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from '../project/atomic-write';

// The backup repository's password: generated once, kept 0600 in the console's data directory,
// handed to restic only as RESTIC_PASSWORD_FILE. The console shows it once, on the answer that
// created the repository, so the operator can keep a copy: without it the backups cannot be read.

export async function passwordExists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
}

/** Writes a new random password (32 bytes, base64url) and returns it. */
export async function createPassword(file: string): Promise<string> {
  const password = randomBytes(32).toString('base64url');
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await atomicWriteFile(file, password, { mode: 0o600 });
  return password;
}
