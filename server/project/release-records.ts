import path from 'node:path';
import { z } from 'zod';
import { VERSION_TAG } from '@/lib/version-tag';
import type { ReleaseRecord } from '@/server/engine/ports';
import { atomicWriteFile } from './atomic-write';
import { projectPaths } from './project-paths';
import { readOptional } from './read-optional';
import type { ProjectDir } from './file-ops';

// The console's own release history, `.tale/console-releases.json`. The CLI neither reads nor
// writes it (it knows only the files listed in docs/tale-cli.md#deployment-directory-and-state-files), so it lives beside the
// CLI's state; the engine stays framework-free by keeping it out of the console's database.

const RELEASES_FILE = 'console-releases.json';
/** Enough history to roll back far; the file stays a few kilobytes. */
export const MAX_RELEASES = 50;

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const recordSchema = z.strictObject({
  version: z.string().regex(VERSION_TAG),
  digests: z.partialRecord(z.enum(['platform', 'rag', 'crawler', 'db', 'proxy', 'convex']), digest),
  color: z.enum(['blue', 'green']),
  kind: z.enum(['deploy', 'rollback']),
  actor: z.string().max(320).nullable(),
  at: z.iso.datetime(),
  envHash: z.string().regex(/^[0-9a-f]{64}$/),
  overrideHash: z.string().regex(/^[0-9a-f]{64}$/),
});
const fileSchema = z.object({ version: z.literal(1), releases: z.array(z.unknown()) });

export const releasesPath = (dir: string): string => path.join(projectPaths(dir).stateDir, RELEASES_FILE);

/** Newest first. An unreadable file or record is skipped, never fatal: rollback then falls back to the tag. */
export async function readReleases(at: ProjectDir): Promise<ReleaseRecord[]> {
  const text = await readOptional(releasesPath(at.dir), at.fs);
  if (text === null) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const file = fileSchema.safeParse(parsed);
  if (!file.success) return [];
  return file.data.releases.flatMap((r) => {
    const record = recordSchema.safeParse(r);
    return record.success ? [record.data as ReleaseRecord] : [];
  });
}

export async function recordRelease(at: ProjectDir, record: ReleaseRecord): Promise<void> {
  const valid = recordSchema.parse(record) as ReleaseRecord;
  const releases = [valid, ...(await readReleases(at))].slice(0, MAX_RELEASES);
  await at.fs.mkdirp(projectPaths(at.dir).stateDir);
  await atomicWriteFile(releasesPath(at.dir), `${JSON.stringify({ version: 1, releases }, null, 2)}\n`, { fs: at.fs });
}
