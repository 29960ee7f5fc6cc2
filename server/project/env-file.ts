import { validateEnvEdits } from '@/lib/settings/env-validation';
import { atomicWriteFile } from './atomic-write';
import {
  applyEnvEdits,
  envValues,
  parseEnvDocument,
  serializeEnvDocument,
  UnencodableValueError,
  type EnvDocument,
} from './env-document';
import { ProjectError } from './project-error';
import { projectPaths } from './project-paths';
import { readOptional } from './read-optional';
import type { ProjectDir } from './file-ops';

export interface EnvFile {
  text: string;
  document: EnvDocument;
  values: Record<string, string>;
}

export async function readEnvFile(at: ProjectDir): Promise<EnvFile> {
  const file = projectPaths(at.dir).env;
  const text = await readOptional(file, at.fs);
  if (text === null) throw new ProjectError('ENV_NOT_FOUND', `Environment file not found: ${file}`);
  const document = parseEnvDocument(text);
  // Whatever reads these values (a console deploy, the settings) must not see a file that docker
  // compose, and so a CLI deploy, refuses as a whole.
  if (document.error !== null) throw new ProjectError('ENV_INVALID', `docker compose cannot read ${file}: ${document.error}`);
  return { text, document, values: envValues(document) };
}

function refused(fieldErrors: Record<string, string>): ProjectError {
  const keys = Object.keys(fieldErrors);
  return new ProjectError('ENV_INVALID', `Refused ${keys.length} setting(s): ${keys.join(', ')}`, fieldErrors);
}

/**
 * Renders edits into new file text, or throws ENV_INVALID with one message per refused field.
 * Pure, so forms can preview and tests can check without a disk.
 */
export function renderEnvEdits(
  current: EnvDocument,
  edits: Record<string, string | null>,
): { text: string; values: Record<string, string> } {
  const before = envValues(current);
  const checked = validateEnvEdits(edits, before);
  if (!checked.ok) throw refused(checked.fieldErrors);

  const normalised: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
  for (const key of Object.keys(edits)) normalised[key] = edits[key] === null ? null : (checked.values[key] ?? '');

  const editedKeys = Object.keys(edits);
  if (current.error !== null) {
    throw refused(Object.fromEntries(editedKeys.map((k) => [k, `docker compose cannot read .env (${current.error}): fix the file by hand first`])));
  }

  let next: EnvDocument;
  try {
    next = applyEnvEdits(current, normalised);
  } catch (err) {
    if (err instanceof UnencodableValueError) throw refused({ [err.key]: err.reason });
    throw err;
  }

  // Defence in depth: read the result back the way docker compose reads it and prove the edit
  // changed exactly the intended keys, so no value can smuggle in or shadow another key.
  const text = serializeEnvDocument(next);
  // applyEnvEdits returns its result as read back from this very text.
  const reread = next;
  if (reread.error !== null) {
    throw refused(Object.fromEntries(editedKeys.map((k) => [k, `docker compose could not read .env after this edit (${reread.error})`])));
  }
  const after = envValues(reread);
  const problems: Record<string, string> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    // Own properties only: a hand-written `constructor=` line must not meet Object.prototype's.
    const own = (o: Record<string, string>) => (Object.hasOwn(o, key) ? o[key] : undefined);
    const expected = Object.hasOwn(normalised, key) ? (normalised[key] ?? undefined) : own(before);
    if (own(after) !== expected) problems[key] = Object.hasOwn(normalised, key) ? 'Would not read back as written' : 'Would be changed by this edit';
  }
  if (Object.keys(problems).length > 0) throw refused(problems);
  return { text, values: after };
}

export interface UpdateEnvOptions {
  now?: () => Date;
}

/**
 * Validates and writes edits to `<dir>/.env` (`null` removes a key). On any refusal nothing is
 * written. The previous content is kept under `.tale/backups/`.
 */
export async function updateEnvFile(
  at: ProjectDir,
  edits: Record<string, string | null>,
  options: UpdateEnvOptions = {},
): Promise<{ values: Record<string, string>; backupPath: string | null }> {
  const paths = projectPaths(at.dir);
  const current = await readEnvFile(at);
  const { text, values } = renderEnvEdits(current.document, edits);
  if (text === current.text) return { values, backupPath: null };
  const { backupPath } = await atomicWriteFile(paths.env, text, { mode: 0o600, backupDir: paths.backups, now: options.now, fs: at.fs });
  return { values, backupPath };
}
