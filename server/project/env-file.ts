import { validateEnvEdits } from '@/lib/schemas/env-values';
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

export interface EnvFile {
  text: string;
  document: EnvDocument;
  values: Record<string, string>;
}

export async function readEnvFile(dir: string): Promise<EnvFile> {
  const file = projectPaths(dir).env;
  const text = await readOptional(file);
  if (text === null) throw new ProjectError('ENV_NOT_FOUND', `Environment file not found: ${file}`);
  const document = parseEnvDocument(text);
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

  const normalised: Record<string, string | null> = {};
  for (const key of Object.keys(edits)) normalised[key] = edits[key] === null ? null : (checked.values[key] ?? '');

  let next: EnvDocument;
  try {
    next = applyEnvEdits(current, normalised);
  } catch (err) {
    if (err instanceof UnencodableValueError) {
      throw refused({ [err.key]: 'Cannot be quoted safely: it mixes single quotes with " \\ $ or `' });
    }
    throw err;
  }

  // Defence in depth: read the result back and prove the edit changed exactly the intended keys,
  // so no value can smuggle in or shadow another key.
  const text = serializeEnvDocument(next);
  const after = envValues(parseEnvDocument(text));
  const problems: Record<string, string> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const expected = key in normalised ? (normalised[key] ?? undefined) : before[key];
    if (after[key] !== expected) problems[key] = key in normalised ? 'Would not read back as written' : 'Would be changed by this edit';
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
  dir: string,
  edits: Record<string, string | null>,
  options: UpdateEnvOptions = {},
): Promise<{ values: Record<string, string>; backupPath: string | null }> {
  const paths = projectPaths(dir);
  const current = await readEnvFile(dir);
  const { text, values } = renderEnvEdits(current.document, edits);
  if (text === current.text) return { values, backupPath: null };
  const { backupPath } = await atomicWriteFile(paths.env, text, { mode: 0o600, backupDir: paths.backups, now: options.now });
  return { values, backupPath };
}
