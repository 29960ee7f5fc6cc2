import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { atomicWriteFile } from '../project/atomic-write';
import type { TlsMaterial } from '../remote/tls-material';

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
  await fs.rm(tlsFile(dataDir, id), { force: true });
}

// A TCP environment's CA certificate, client certificate and client key: one 0600 file
// $DATA_DIR/environments/<id>.tls.json beside the SSH keys, written atomically so the three always
// belong together. Only the transport reads it (openTcpEndpoint).

export const tlsFile = (dataDir: string, id: string) => path.join(keyDir(dataDir), `${id}.tls.json`);

const tlsMaterialSchema = z.strictObject({ caCert: z.string().min(1), clientCert: z.string().min(1), clientKey: z.string().min(1) });

export async function writeTlsMaterial(dataDir: string, id: string, material: TlsMaterial): Promise<void> {
  await fs.mkdir(keyDir(dataDir), { recursive: true, mode: 0o700 });
  const file = tlsFile(dataDir, id);
  const { caCert, clientCert, clientKey } = material;
  await atomicWriteFile(file, JSON.stringify({ caCert, clientCert, clientKey }), { mode: 0o600 });
  await fs.chmod(file, 0o600);
}

/** The stored material, or null when the file is missing or damaged (the environment then reports KEY_MISSING). */
export async function readTlsMaterial(dataDir: string, id: string): Promise<TlsMaterial | null> {
  let text: string;
  try {
    text = await fs.readFile(tlsFile(dataDir, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = tlsMaterialSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
