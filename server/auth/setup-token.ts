import 'server-only';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// The first-run secret: printed at start and kept in the data directory (0600) until the first
// admin exists. Only a person with the server's log or file system can claim the console.

export function setupTokenPath(dataDir: string): string {
  return path.join(dataDir, 'setup-token');
}

/** Returns the current token, creating one when there is none. */
export function ensureSetupToken(dataDir: string): string {
  const file = setupTokenPath(dataDir);
  const existing = readToken(file);
  if (existing) return existing;
  const token = crypto.randomBytes(24).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return token;
}

function readToken(file: string): string | undefined {
  try {
    const value = fs.readFileSync(file, 'utf8').trim();
    return value.length > 0 ? value : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function checkSetupToken(dataDir: string, candidate: string): boolean {
  const expected = readToken(setupTokenPath(dataDir));
  if (!expected) return false;
  const a = crypto.createHash('sha256').update(expected).digest();
  const b = crypto.createHash('sha256').update(candidate).digest();
  return crypto.timingSafeEqual(a, b);
}

export function destroySetupToken(dataDir: string): void {
  fs.rmSync(setupTokenPath(dataDir), { force: true });
}
