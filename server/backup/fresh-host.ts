import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from '../project/atomic-write';
import type { ProjectDir } from '../project/file-ops';
import { ENV_FILE, TALE_JSON } from '../project/project-paths';
import { BackupError } from './backup-error';
import { PROJECT_FILES } from './project-files';
import { targetFiles } from './target-store';

// The file-system parts of a restore into a fresh host (docs/backups.md#restore-into-a-new-host):
// whether the deployment directory is fresh, the backup's project files written into it, and the
// staged repository setting made the console's own. Pure file work, unit-tested beside.

/** What the deployment directory holds: nothing (or no directory at all) is the only fresh state. */
export async function directoryEntries(at: ProjectDir): Promise<string[]> {
  return ((await at.fs.list(at.dir)) ?? []).sort();
}

/** Refuses a directory that holds anything: a restore into a fresh host never overwrites a file. */
export async function assertFreshDirectory(at: ProjectDir): Promise<void> {
  const entries = await directoryEntries(at);
  if (entries.length === 0) return;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, and ${entries.length - 5} more` : '');
  throw new BackupError(
    'DEPLOY_DIR_NOT_FRESH',
    `The deployment directory ${at.dir} is not empty (${shown}): a restore into a fresh host writes only into an empty one, and nothing was written. Restore from the Backups page of the console that manages it, or empty the directory first.`,
  );
}

/**
 * The order the files are written in: tale.json last, so that a directory a failure left half
 * written is never taken for an initialised project (the console reads tale.json to decide).
 */
export function writeOrder(files: Record<string, Buffer>): string[] {
  const known = PROJECT_FILES.filter((rel) => rel in files && rel !== TALE_JSON);
  return TALE_JSON in files ? [...known, TALE_JSON] : known;
}

/** Writes a backup's project files into the (fresh) directory, each atomically; .env is 0600. */
export async function writeProjectFiles(at: ProjectDir, files: Record<string, Buffer>): Promise<string[]> {
  await at.fs.mkdirp(at.dir);
  const written: string[] = [];
  for (const rel of writeOrder(files)) {
    const file = path.join(at.dir, rel);
    await at.fs.mkdirp(path.dirname(file));
    await atomicWriteFile(file, files[rel]!, { mode: rel === ENV_FILE ? 0o600 : 0o644, fs: at.fs });
    written.push(rel);
  }
  return written;
}

/**
 * Makes the staged repository setting (a `backup-target/` directory and a password file, written
 * while the admin chose a backup) the console's own: every file 0600, written atomically, and the
 * files of another target type that the staged one lacks removed (an old SFTP key).
 */
export async function adoptStagedTarget(staged: { dataDir: string; passwordFile: string }, own: { dataDir: string; passwordFile: string }): Promise<void> {
  const from = targetFiles(staged.dataDir);
  const to = targetFiles(own.dataDir);
  await fs.mkdir(to.dir, { recursive: true, mode: 0o700 });
  for (const key of ['privateKey', 'knownHosts', 'caCertificate', 'setting'] as const) {
    const bytes = await fs.readFile(from[key]).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (bytes === null) await fs.rm(to[key], { force: true });
    else await writeSecret(to[key], bytes);
  }
  await fs.mkdir(path.dirname(own.passwordFile), { recursive: true, mode: 0o700 });
  await writeSecret(own.passwordFile, await fs.readFile(staged.passwordFile));
}

async function writeSecret(file: string, bytes: Buffer | string): Promise<void> {
  await atomicWriteFile(file, bytes, { mode: 0o600 });
  // atomicWriteFile keeps an existing file's mode: these must be 0600 whatever was there.
  await fs.chmod(file, 0o600);
}

export { writeSecret as writeStagedSecret };
