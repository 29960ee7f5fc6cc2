import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CopyEventDto } from '@/lib/dto/external-database';
import type { ExecRunner, ExecStream, ExecStreamOptions } from '../docker/exec-stream';
import { copyOne } from './bundled-copy';

// The ending of one database's copy with a fake exec runner: what psql is sent decides whether the
// external server keeps anything, so that is what these tests look at.

interface Started {
  argv: readonly string[];
  opts: ExecStreamOptions | undefined;
  stdin: string;
}

function fakeRunner(dump: { output: string; exitCode: number; stderr?: string }, restore: { tags: string; exitCode: number; stderr?: string }) {
  const started: Started[] = [];
  const runner: ExecRunner = {
    async start(_container, argv, opts) {
      const record: Started = { argv, opts, stdin: '' };
      started.push(record);
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      if (argv[0] === 'pg_dump') {
        const exit = new Promise<number | null>((resolve) =>
          setImmediate(() => {
            stdout.end(dump.output);
            stderr.end(dump.stderr ?? '');
            resolve(dump.exitCode);
          }),
        );
        return { stdout, stderr, stdin: null, exit, abort: () => undefined } satisfies ExecStream;
      }
      const stdin = new PassThrough();
      stdin.on('data', (c: Buffer) => (record.stdin += c.toString()));
      const exit = new Promise<number | null>((resolve) =>
        stdin.on('end', () => {
          stdout.end(restore.tags);
          stderr.end(restore.stderr ?? '');
          resolve(restore.exitCode);
        }),
      );
      return { stdout, stderr, stdin, exit, abort: () => undefined } satisfies ExecStream;
    },
  };
  return { runner, started };
}

const target = { host: 'pg.internal', port: 5432, role: 'tale', password: 'p4ssword-of-the-role', sslMode: 'disable' as const };
const DUMP = 'CREATE SCHEMA public_web;\nCREATE TABLE public_web.t (a int);\nCOPY public_web.t (a) FROM stdin;\n1\n2\n\\.\n';

describe('copyOne', () => {
  it('wraps the dump in BEGIN and COMMIT and reports progress from the command tags', async () => {
    const { runner, started } = fakeRunner({ output: DUMP, exitCode: 0 }, { tags: 'BEGIN\nCREATE SCHEMA\nCREATE TABLE\nCOPY 2\nCOMMIT\n', exitCode: 0 });
    const events: CopyEventDto[] = [];
    const done = await copyOne({ exec: runner, container: 'p-db', sourceUser: 'tale', target, onEvent: (e) => events.push(e) }, 'tale_knowledge');
    const restore = started.find((s) => s.argv[0] === 'psql')!;
    expect(restore.stdin).toBe(`BEGIN;\n${DUMP.replace('CREATE SCHEMA public_web;', 'CREATE SCHEMA IF NOT EXISTS public_web;')}COMMIT;\n`);
    expect(restore.opts?.env?.PGPASSWORD).toBe(target.password);
    expect(started.flatMap((s) => s.argv).join(' ')).not.toContain(target.password);
    expect(done).toEqual({ bytes: Buffer.byteLength(DUMP), objects: 3, rows: 2 });
    expect(events.at(-1)).toMatchObject({ type: 'progress', database: 'tale_knowledge', objects: 3, rows: 2 });
  });

  it('never sends COMMIT when pg_dump fails, even after it wrote part of the dump', async () => {
    const { runner, started } = fakeRunner(
      { output: DUMP.slice(0, 60), exitCode: 1, stderr: 'pg_dump: error: query failed: server closed the connection unexpectedly' },
      { tags: '', exitCode: 0 },
    );
    await expect(copyOne({ exec: runner, container: 'p-db', sourceUser: 'tale', target, onEvent: () => undefined }, 'tale_platform')).rejects.toMatchObject({
      message: expect.stringMatching(/pg_dump of tale_platform .* nothing of it was kept: error: query failed/),
    });
    const restore = started.find((s) => s.argv[0] === 'psql')!;
    expect(restore.stdin.startsWith('BEGIN;\n')).toBe(true);
    expect(restore.stdin).not.toContain('COMMIT');
  });

  it('reports psql’s error when the restore fails', async () => {
    const { runner } = fakeRunner(
      { output: DUMP, exitCode: 0 },
      { tags: 'BEGIN\n', exitCode: 3, stderr: 'psql:<stdin>:3: ERROR:  permission denied for schema public_web\n' },
    );
    await expect(copyOne({ exec: runner, container: 'p-db', sourceUser: 'tale', target, onEvent: () => undefined }, 'tale_knowledge')).rejects.toMatchObject({
      message: expect.stringContaining('ERROR:  permission denied for schema public_web'),
    });
  });
});
