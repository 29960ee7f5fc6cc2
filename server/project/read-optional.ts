import { promises as fs } from 'node:fs';

/** A file's text, or null when it does not exist; any other failure is the caller's to see. */
export async function readOptional(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
