import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from './atomic-write';
import { ProjectError } from './project-error';
import { projectPaths } from './project-paths';

// Versions of .env and compose.override.yml live in the deployment directory's .tale/backups/,
// where atomicWriteFile already puts them (and where env-file.ts's writes go): they travel with the
// deployment when it is moved or backed up, an operator on SSH finds them beside the files they
// belong to, and they keep the original file's 0600 mode. The console's DATA_DIR would split a
// deployment's history from the deployment.

export type HistoryFile = '.env' | 'compose.override.yml' | 'compose.override.yaml';

export type HistoryEntry = { id: string; file: HistoryFile; at: Date; size: number; sha256: string };

const ENTRY = /^(\.env|compose\.override\.ya?ml)\.(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/;

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Stored versions, newest first. Files that are not ours (temp files, other names) are ignored. */
export async function listHistory(dir: string): Promise<HistoryEntry[]> {
  const backups = projectPaths(dir).backups;
  let names: string[];
  try {
    names = await fs.readdir(backups);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: HistoryEntry[] = [];
  for (const name of names) {
    const m = ENTRY.exec(name);
    if (!m) continue;
    const data = await fs.readFile(path.join(backups, name));
    out.push({ id: name, file: m[1] as HistoryFile, at: new Date(`${m[2]}T${m[3]}:${m[4]}:${m[5]}.${m[6]}Z`), size: data.length, sha256: sha256(data) });
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime() || b.id.localeCompare(a.id));
}

async function readHistoryEntry(dir: string, id: string): Promise<{ file: HistoryFile; data: Buffer }> {
  const m = ENTRY.exec(id);
  // The pattern admits no `/` or `..`, so the name cannot leave the backups directory.
  if (!m) throw new ProjectError('STATE_INVALID', 'Unknown version');
  try {
    return { file: m[1] as HistoryFile, data: await fs.readFile(path.join(projectPaths(dir).backups, id)) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ProjectError('STATE_INVALID', 'That version no longer exists');
    throw err;
  }
}

/** Puts back the exact bytes of a stored version; the version it replaces becomes a version too. */
export async function restoreHistoryEntry(dir: string, id: string, now?: () => Date): Promise<{ file: HistoryFile; sha256: string }> {
  const { file, data } = await readHistoryEntry(dir, id);
  const paths = projectPaths(dir);
  await atomicWriteFile(path.join(dir, file), data, { mode: file === '.env' ? 0o600 : 0o644, backupDir: paths.backups, now });
  return { file, sha256: sha256(data) };
}
