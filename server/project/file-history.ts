import { createHash } from 'node:crypto';
import path from 'node:path';
import { atomicWriteFile } from './atomic-write';
import { ProjectError } from './project-error';
import { projectPaths } from './project-paths';
import type { ProjectDir } from './file-ops';

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
export async function listHistory(at: ProjectDir): Promise<HistoryEntry[]> {
  const backups = projectPaths(at.dir).backups;
  const names = (await at.fs.list(backups)) ?? [];
  const out: HistoryEntry[] = [];
  for (const name of names) {
    const m = ENTRY.exec(name);
    if (!m) continue;
    const data = await at.fs.readFile(path.join(backups, name));
    if (data === null) continue; // removed meanwhile
    out.push({ id: name, file: m[1] as HistoryFile, at: new Date(`${m[2]}T${m[3]}:${m[4]}:${m[5]}.${m[6]}Z`), size: data.length, sha256: sha256(data) });
  }
  return out.sort((a, b) => b.at.getTime() - a.at.getTime() || b.id.localeCompare(a.id));
}

async function readHistoryEntry(at: ProjectDir, id: string): Promise<{ file: HistoryFile; data: Buffer }> {
  const m = ENTRY.exec(id);
  // The pattern admits no `/` or `..`, so the name cannot leave the backups directory.
  if (!m) throw new ProjectError('STATE_INVALID', 'Unknown version');
  const data = await at.fs.readFile(path.join(projectPaths(at.dir).backups, id));
  if (data === null) throw new ProjectError('STATE_INVALID', 'That version no longer exists');
  return { file: m[1] as HistoryFile, data };
}

/** Puts back the exact bytes of a stored version; the version it replaces becomes a version too. */
export async function restoreHistoryEntry(at: ProjectDir, id: string, now?: () => Date): Promise<{ file: HistoryFile; sha256: string }> {
  const { file, data } = await readHistoryEntry(at, id);
  const paths = projectPaths(at.dir);
  await atomicWriteFile(path.join(at.dir, file), data, { mode: file === '.env' ? 0o600 : 0o644, backupDir: paths.backups, now, fs: at.fs });
  return { file, sha256: sha256(data) };
}
