import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteFile } from './atomic-write';
import { generateProjectId, isValidProjectId } from './project-id';
import { ProjectError } from './project-error';
import { TALE_JSON, projectPaths } from './project-paths';
import { readOptional } from './read-optional';
import type { ProjectDir } from './file-ops';

export interface TaleJson {
  version: 1;
  cliVersion: string;
  createdAt: string;
  id?: string;
  name?: string;
  /** Fields a newer CLI may add; kept on rewrite. */
  [extra: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Nearest ancestor of `start` (inclusive) containing tale.json, or null. */
export async function findProjectRoot(start: string): Promise<string | null> {
  let dir = path.resolve(start);
  for (;;) {
    try {
      await fs.access(path.join(dir, TALE_JSON));
      return dir;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return null;
      dir = parent;
    }
  }
}

export async function readTaleJson(at: ProjectDir): Promise<TaleJson> {
  const file = projectPaths(at.dir).taleJson;
  const text = await readOptional(file, at.fs);
  if (text === null) {
    throw new ProjectError('PROJECT_NOT_FOUND', 'No Tale project found. Run "tale init" first, then run commands from the project directory.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ProjectError('TALE_JSON_INVALID', `${file} is not valid JSON`, undefined, { cause: err });
  }
  if (!isRecord(parsed)) throw new ProjectError('TALE_JSON_INVALID', `${file} must contain a JSON object`);
  return { ...parsed, cliVersion: String(parsed.cliVersion ?? ''), createdAt: String(parsed.createdAt ?? '') } as TaleJson;
}

/** The validated project id, with the CLI's messages (docs/tale-cli.md#project-id). */
export function projectIdOf(taleJson: TaleJson): string {
  const id = taleJson.id;
  if (typeof id !== 'string' || id === '') {
    throw new ProjectError('PROJECT_ID_MISSING', 'Project has no valid ID. Run "tale upgrade" to assign one.');
  }
  if (!isValidProjectId(id)) {
    // The id is not a secret; the CLI prints it too.
    throw new ProjectError('PROJECT_ID_INVALID', `Project ID "${id}" in tale.json is invalid. Expected [a-z0-9][a-z0-9-]* and max 40 chars.`);
  }
  return id;
}

export async function writeTaleJson(at: ProjectDir, taleJson: TaleJson): Promise<void> {
  await atomicWriteFile(projectPaths(at.dir).taleJson, `${JSON.stringify(taleJson, null, 2)}\n`, { mode: 0o644, fs: at.fs });
}

/** Like `deploy`/`start`: assign a missing id and persist it; an invalid id is an error, not replaced. */
export async function ensureProjectId(at: ProjectDir): Promise<{ id: string; assigned: boolean }> {
  const taleJson = await readTaleJson(at);
  if (typeof taleJson.id === 'string' && taleJson.id !== '') return { id: projectIdOf(taleJson), assigned: false };
  const id = generateProjectId(path.basename(path.resolve(at.dir)));
  await writeTaleJson(at, { ...taleJson, id });
  return { id, assigned: true };
}
