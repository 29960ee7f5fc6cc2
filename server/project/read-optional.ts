import { localFileOps, type FileOps } from './file-ops';

/** A file's text, or null when it does not exist; any other failure is the caller's to see. */
export async function readOptional(file: string, fs: FileOps = localFileOps): Promise<string | null> {
  return (await fs.readFile(file))?.toString('utf8') ?? null;
}
