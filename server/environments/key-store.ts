import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from '../project/atomic-write';

// Each environment's SSH private key: $DATA_DIR/environments/<id>.key, 0600 in a 0700 directory,
// written atomically, like the backup repository's password and SFTP key. Only the transport reads
// it (openSshEndpoint); no page, API answer, audit entry or log ever carries it.

export const keyDir = (dataDir: string) => path.join(dataDir, 'environments');
// The id is a checked slug (environmentIdSchema), so the name cannot leave the directory.
export const keyFile = (dataDir: string, id: string) => path.join(keyDir(dataDir), `${id}.key`);

export async function writeKey(dataDir: string, id: string, privateKey: string): Promise<void> {
  await fs.mkdir(keyDir(dataDir), { recursive: true, mode: 0o700 });
  const file = keyFile(dataDir, id);
  await atomicWriteFile(file, privateKey, { mode: 0o600 });
  // An existing file keeps its mode in atomicWriteFile's contract: a key must be 0600 anyway.
  await fs.chmod(file, 0o600);
}

export async function readKey(dataDir: string, id: string): Promise<string | null> {
  try {
    return await fs.readFile(keyFile(dataDir, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function removeKey(dataDir: string, id: string): Promise<void> {
  await fs.rm(keyFile(dataDir, id), { force: true });
}
