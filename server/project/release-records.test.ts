import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReleaseRecord } from '@/server/engine/ports';
import { MAX_RELEASES, readReleases, recordRelease, releasesPath } from './release-records';
import { localDir } from '@/server/project/file-ops';

const record = (version: string): ReleaseRecord => ({
  version,
  digests: { platform: `sha256:${'a'.repeat(64)}`, rag: `sha256:${'b'.repeat(64)}` },
  color: 'blue',
  kind: 'deploy',
  actor: 'ops@example.com',
  at: '2026-01-01T00:00:00.000Z',
  envHash: 'c'.repeat(64),
  overrideHash: 'd'.repeat(64),
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'releases-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('release records file', () => {
  it('keeps the newest first under .tale/, capped', async () => {
    for (let i = 0; i < MAX_RELEASES + 3; i++) await recordRelease(localDir(dir), record(`1.0.${i}`));
    const all = await readReleases(localDir(dir));
    expect(all).toHaveLength(MAX_RELEASES);
    expect(all[0]?.version).toBe(`1.0.${MAX_RELEASES + 2}`);
    expect(releasesPath(dir)).toBe(path.join(dir, '.tale', 'console-releases.json'));
    expect(JSON.parse(await readFile(releasesPath(dir), 'utf8')).version).toBe(1);
  });

  it('reads an unreadable file as no records and skips invalid entries', async () => {
    await recordRelease(localDir(dir), record('1.0.0'));
    await writeFile(releasesPath(dir), '{not json');
    expect(await readReleases(localDir(dir))).toEqual([]);
    await writeFile(releasesPath(dir), JSON.stringify({ version: 1, releases: [{ version: '../x' }, record('2.0.0')] }));
    expect((await readReleases(localDir(dir))).map((r) => r.version)).toEqual(['2.0.0']);
  });

  it('refuses to write a malformed record', async () => {
    await expect(recordRelease(localDir(dir), { ...record('1.0.0'), digests: { platform: 'latest' } })).rejects.toThrow();
  });
});
