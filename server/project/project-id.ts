import { randomBytes } from 'node:crypto';

// docs/tale-cli.md#project-id: every Docker name derives from this id, so its rules must match the CLI's exactly.
export const PROJECT_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
export const PROJECT_ID_MAX_LENGTH = 40;

export function isValidProjectId(id: string): boolean {
  return id.length <= PROJECT_ID_MAX_LENGTH && PROJECT_ID_PATTERN.test(id);
}

/** The readable part of a new id, derived from the directory's basename. */
export function projectIdPrefix(basename: string): string {
  const prefix = basename
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 33)
    .replace(/-+$/, '');
  return prefix === '' ? 'tale' : prefix;
}

/** `<prefix>-<6 random hex>`: at most 33 + 1 + 6 = 40 characters. */
export function generateProjectId(basename: string, random: (bytes: number) => Buffer = randomBytes): string {
  return `${projectIdPrefix(basename)}-${random(3).toString('hex')}`;
}
