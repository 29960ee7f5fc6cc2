import path from 'node:path';
import { ENV_FILE, STATE_DIR, TALE_JSON } from '../project/project-paths';
import type { ProjectDir } from '../project/file-ops';

// The project files a backup keeps (docs/backups.md#what-a-backup-holds): the files that make the
// deployment directory this deployment. Not the lock (it belongs to a running process), not
// `.tale/backups/` (old versions of these same files) and not `.tale/reference/` (a source snapshot
// the CLI writes again). Small files: read whole.

export const PROJECT_FILES = [
  TALE_JSON,
  ENV_FILE,
  'compose.override.yml',
  'compose.override.yaml',
  `${STATE_DIR}/deployment-color`,
  `${STATE_DIR}/deployment-previous-version`,
  `${STATE_DIR}/migrations.json`,
  `${STATE_DIR}/checksums.json`,
  `${STATE_DIR}/console-releases.json`,
] as const;

export async function readProjectFiles(at: ProjectDir): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const rel of PROJECT_FILES) {
    const data = await at.fs.readFile(path.join(at.dir, rel));
    if (data !== null) out[rel] = data;
  }
  return out;
}
