import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResticRepository, type ResticConfig } from './restic';

// The adapter against the real restic from Debian's package (.ci/run installs it) on a temporary
// local repository: no Docker, a few seconds. It checks the argv/environment contract with restic,
// the parsing of its --json answers and the coded errors.

let dir: string;
let config: ResticConfig;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-restic-'));
  fs.writeFileSync(path.join(dir, 'password'), randomBytes(24).toString('base64url'), { mode: 0o600 });
  config = { binary: '/usr/bin/restic', repository: path.join(dir, 'repo'), passwordFile: path.join(dir, 'password'), cacheDir: path.join(dir, 'cache') };
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const readAll = async (s: Readable) => {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
};

describe('the restic adapter', () => {
  it('initialises a repository, stores a stream byte for byte, lists it by tag and dumps it back', async () => {
    const repo = createResticRepository(config);
    expect(await repo.isInitialised()).toBe(false);
    await repo.init();
    expect(await repo.isInitialised()).toBe(true);

    const data = randomBytes(3 * 1024 * 1024 + 17);
    const seen: number[] = [];
    const stored = await repo.backupStdin(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), {
      filename: 'databases/tale.sql',
      tags: ['tale-project:acme', 'tale-backup:one'],
      onBytes: (n) => seen.push(n),
    });
    expect(stored.bytes).toBe(data.length);
    expect(stored.dataAdded).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(data.length);

    // The same bytes again add (almost) nothing: restic deduplicates.
    const again = await repo.backupStdin(Readable.from([data]), { filename: 'databases/tale.sql', tags: ['tale-project:acme', 'tale-backup:two'] });
    console.log(`[restic] first ${stored.dataAdded} bytes added, identical second ${again.dataAdded}`);
    expect(again.dataAdded).toBeLessThan(stored.dataAdded / 10);

    const one = await repo.snapshots(['tale-project:acme', 'tale-backup:one']);
    expect(one).toHaveLength(1);
    expect(one[0]!.id.startsWith(stored.snapshotId)).toBe(true);
    expect(one[0]!.paths).toEqual(['/databases/tale.sql']);
    expect(await repo.snapshots(['tale-project:other'])).toEqual([]);

    const { stream, done } = repo.dump(stored.snapshotId, '/databases/tale.sql');
    const back = await readAll(stream);
    await done;
    expect(back.equals(data)).toBe(true);

    await repo.forget([again.snapshotId]);
    expect(await repo.snapshots(['tale-backup:two'])).toEqual([]);
  }, 60_000);

  it('says a wrong password and a missing repository as coded errors', async () => {
    const wrong = path.join(dir, 'wrong');
    fs.writeFileSync(wrong, 'not-the-password', { mode: 0o600 });
    await expect(createResticRepository({ ...config, passwordFile: wrong }).snapshots([])).rejects.toMatchObject({ code: 'BACKUP_WRONG_PASSWORD' });
    await expect(createResticRepository({ ...config, repository: path.join(dir, 'none') }).snapshots([])).rejects.toMatchObject({ code: 'BACKUP_REPOSITORY_MISSING' });
    await expect(createResticRepository({ ...config, binary: path.join(dir, 'no-restic') }).snapshots([])).rejects.toMatchObject({ code: 'BACKUP_TOOL_MISSING' });
  }, 30_000);

  it('a cancelled backup stores no snapshot', async () => {
    const repo = createResticRepository(config);
    const input = new PassThrough();
    const controller = new AbortController();
    const running = repo.backupStdin(input, { filename: 'volumes/rag-data.tar', tags: ['tale-backup:cancelled'], signal: controller.signal });
    input.write(randomBytes(1024 * 1024));
    controller.abort();
    input.end();
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await repo.snapshots(['tale-backup:cancelled'])).toEqual([]);
  }, 30_000);

  it('a pack deleted from the repository: the structure check names it', async () => {
    const repo = createResticRepository({ ...config, repository: path.join(dir, 'damaged') });
    await repo.init();
    await repo.backupStdin(Readable.from([randomBytes(2 * 1024 * 1024)]), { filename: 'databases/tale.sql', tags: ['tale-backup:damaged'] });
    const packs = fs.readdirSync(path.join(dir, 'damaged', 'data'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    // The largest pack holds the data (the tree pack is small): the check finds it missing without reading it.
    const largest = packs.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0]!;
    fs.rmSync(largest, { force: true });
    const failed = await repo.check!({ readData: false }).then(() => null, (err: Error & { code?: string }) => err);
    expect(failed).toMatchObject({ code: 'BACKUP_REPOSITORY_CORRUPT' });
    expect(failed!.message).toContain(`pack ${path.basename(largest)}: does not exist`);
  }, 60_000);
});
