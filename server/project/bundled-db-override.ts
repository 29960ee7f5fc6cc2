import path from 'node:path';
import { isMap, parseDocument, type Document } from 'yaml';
import { atomicWriteFile, backupTimestamp } from './atomic-write';
import { parseComposeOverride, readOverrideText } from './compose-override';
import { ProjectError } from './project-error';
import { keepOriginalLines } from './yaml-keep-format';
import { projectPaths } from './project-paths';
import { readOptional } from './read-optional';
import type { ProjectDir } from './file-ops';

// Switches the bundled db off and on in compose.override.yml with `services.db.profiles:
// ['disabled']` (the docs' form, which compose and our stack generator both understand). The
// document is edited in place, so the operator's comments, other services and the proxy's
// `!override` tag stay as they were.

export interface OverrideEdit {
  file: string;
  before: string | null;
  /** null: the file is to be removed (nothing left in it). */
  after: string | null;
}

function load(text: string | null, file: string): Document {
  // Validates first: never edit a file the console would refuse to deploy with.
  if (text !== null) parseComposeOverride(text, file);
  return parseDocument(text ?? '', { uniqueKeys: true });
}

/** Pure: the override text with the bundled db disabled (or enabled again). */
export function renderBundledDb(text: string | null, file: string, disabled: boolean): string | null {
  const doc = load(text, file);
  if (disabled) {
    if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
    const profiles = doc.createNode(['disabled'], { flow: true });
    doc.setIn(['services', 'db', 'profiles'], profiles);
  } else {
    if (!doc.hasIn(['services', 'db', 'profiles'])) return text;
    doc.deleteIn(['services', 'db', 'profiles']);
    const db = doc.getIn(['services', 'db']);
    if (isMap(db) && db.items.length === 0) doc.deleteIn(['services', 'db']);
    const services = doc.getIn(['services']);
    if (isMap(services) && services.items.length === 0) doc.deleteIn(['services']);
    if (isMap(doc.contents) && doc.contents.items.length === 0 && !doc.commentBefore && !doc.comment) return null;
  }
  // The operator's untouched lines stay as written: the configure diff shows only the change.
  const out = keepOriginalLines(text ?? '', doc.toString());
  parseComposeOverride(out, file);
  return out;
}

export async function planBundledDb(at: ProjectDir, disabled: boolean): Promise<OverrideEdit> {
  const { file, text } = await readOverrideText(at);
  try {
    return { file, before: text, after: renderBundledDb(text, file, disabled) };
  } catch (err) {
    if (err instanceof ProjectError) throw err;
    throw new ProjectError('OVERRIDE_INVALID', `${path.basename(file)} could not be edited`, undefined, { cause: err });
  }
}

/** Writes the edit atomically, the previous file kept under .tale/backups/. Returns the backup path. */
export async function applyOverrideEdit(at: ProjectDir, edit: OverrideEdit): Promise<string | null> {
  const paths = projectPaths(at.dir);
  const current = await readOptional(edit.file, at.fs);
  if (current !== edit.before) throw new ProjectError('OVERRIDE_INVALID', `${path.basename(edit.file)} changed meanwhile; review the change again`);
  if (edit.after === edit.before) return null;
  if (edit.after !== null) return (await atomicWriteFile(edit.file, edit.after, { mode: 0o644, backupDir: paths.backups, fs: at.fs })).backupPath;
  // Nothing left: keep a copy, then remove the file.
  await at.fs.mkdirp(paths.backups, 0o700);
  const backup = path.join(/*turbopackIgnore: true*/ paths.backups, `${path.basename(edit.file)}.${backupTimestamp(new Date())}`);
  await at.fs.rename(edit.file, backup);
  return backup;
}
