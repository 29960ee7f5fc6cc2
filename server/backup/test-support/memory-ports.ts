import { PassThrough, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ExecRunner, ExecStream } from '../../docker/exec-stream';
import type { BackupRepository, RepositorySnapshot, VolumeArchiver } from '../ports';

// In-memory stand-ins for the backup engine's ports (server/backup/ports.ts), shared by the unit
// tests of the engine and of the backups service: a repository that keeps each stored stream, a
// db container whose pg_dump and psql work on a map of tables, and volumes as strings.

type Tables = Record<string, string[]>; // "schema.table" → rows
type FakeDb = Record<string, Tables>;

export const read = async (s: Readable) => {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
};

export class MemoryRepository implements BackupRepository {
  readonly location = '/mem/repo';
  readonly items = new Map<string, { filename: string; tags: string[]; data: Buffer }>();
  readonly forgotten: string[] = [];
  initialised = true;
  private seq = 0;
  async isInitialised() {
    return this.initialised;
  }
  async init() {
    this.initialised = true;
  }
  async unlock() {}
  async backupStdin(input: Readable, opts: { filename: string; tags: string[]; onBytes?: (n: number) => void }) {
    const data = await read(input);
    opts.onBytes?.(data.length);
    const id = (++this.seq).toString(16).padStart(64, '0');
    this.items.set(id, { filename: opts.filename, tags: opts.tags, data });
    return { snapshotId: id, bytes: data.length, dataAdded: Math.ceil(data.length / 2) };
  }
  async snapshots(tags: string[]): Promise<RepositorySnapshot[]> {
    return [...this.items.entries()]
      .filter(([, i]) => tags.every((t) => i.tags.includes(t)))
      .map(([id, i]) => ({ id, shortId: id.slice(-8), time: '2026-01-01T00:00:00Z', paths: [`/${i.filename}`], tags: i.tags }));
  }
  dump(id: string, filename: string) {
    const item = this.items.get(id);
    if (!item || `/${item.filename}` !== filename) {
      const stream = Readable.from([]);
      return { stream, done: Promise.reject(new Error(`no ${filename} in ${id}`)) };
    }
    return { stream: Readable.from([item.data]), done: Promise.resolve() };
  }
  async forget(ids: string[]) {
    for (const id of ids) this.items.delete(id);
    this.forgotten.push(...ids);
  }
  pruned = 0;
  async prune() {
    this.pruned++;
  }
  checkFails: string | null = null;
  async check(_opts: { readData: boolean; signal?: AbortSignal }) {
    if (this.checkFails) throw new Error(this.checkFails);
    return { ok: true as const, output: 'no errors were found' };
  }
}

/** pg_dump, psql and the restore as the engine calls them, over a map of databases. */
export class FakeDbContainer implements ExecRunner {
  dbs: FakeDb = {
    tale: { 'tale.settings': ['a'] },
    tale_knowledge: { 'private_knowledge.chunks': ['c1', 'c2', 'c3'], 'public_web.websites': ['w1'] },
    tale_platform: { 'public.documents': ['d1', 'd2'] },
  };
  calls: string[] = [];
  failDumpOf: string | null = null;
  failRestoreOf: string | null = null;
  /** The restore of this database loses its last row of each table. */
  lossyRestoreOf: string | null = null;

  async start(container: string, argv: readonly string[], opts?: { stdin?: boolean }): Promise<ExecStream> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = opts?.stdin ? new PassThrough() : null;
    const db = argv.find((a) => a.startsWith('--dbname='))?.slice('--dbname='.length) ?? '';
    const command = argv.find((a) => a.startsWith('--command='))?.slice('--command='.length);
    this.calls.push(`${container} ${argv[0]} ${db}${command ? ` ${command.split(' ')[0]}` : ''}`);
    const run = async (): Promise<number> => {
      if (argv[0] === 'pg_dump') {
        if (this.failDumpOf === db) {
          stdout.end(`DUMP ${db}:{"partial`);
          stderr.end('pg_dump: error: connection lost');
          return 1;
        }
        stdout.end(`DUMP ${db}:${JSON.stringify(this.dbs[db])}`);
        stderr.end();
        return 0;
      }
      if (command?.startsWith('SELECT 1 FROM pg_database')) {
        stdout.end(db === 'postgres' && this.dbs[/'(.+)'/.exec(command)![1]!] ? '1\n' : '');
      } else if (command?.startsWith('SELECT datname')) {
        stdout.end(Object.keys(this.dbs).sort().join('\n') + '\n');
      } else if (command?.startsWith('SELECT json_build_object')) {
        const tables = Object.entries(this.dbs[db] ?? {}).map(([k, rows]) => ({ schema: k.split('.')[0], table: k.split('.')[1], rows: rows.length }));
        stdout.end(JSON.stringify({ tables, extensions: [] }));
      } else if (command?.startsWith('DROP DATABASE')) {
        delete this.dbs[/"(.+)"/.exec(command)![1]!];
        stdout.end();
      } else if (stdin) {
        const text = (await read(stdin)).toString();
        const m = /^DUMP ([a-z_]+):(.*)$/s.exec(text)!;
        if (this.failRestoreOf === m[1]) {
          stdout.end();
          stderr.end('ERROR:  out of disk');
          return 3;
        }
        const tables = JSON.parse(m[2]!) as Tables;
        if (this.lossyRestoreOf === m[1]) for (const k of Object.keys(tables)) tables[k] = tables[k]!.slice(0, -1);
        this.dbs[m[1]!] = tables;
        stdout.end();
      } else stdout.end();
      stderr.end();
      return 0;
    };
    // Like Docker's: the exit code comes once the output has been read to its end.
    const exit = run().then(async (code) => {
      await Promise.all([finished(stdout), finished(stderr)]);
      return code;
    });
    return { stdout, stderr, stdin, exit, abort: () => undefined };
  }
}

export class MemoryVolumes implements VolumeArchiver {
  data: Record<string, string> = { 'convex-data': 'convex files', 'rag-data': 'rag files', 'crawler-data': 'crawler files', 'caddy-data': 'certificates' };
  helpers: string[] = [];
  async withHelper<T>(spec: Parameters<VolumeArchiver['withHelper']>[0], fn: Parameters<VolumeArchiver['withHelper']>[1]): Promise<T> {
    this.helpers.push(`${spec.name} ${spec.readOnly ? 'ro' : 'rw'} ${spec.volumes.map((v) => v.name).join(',')}`);
    return fn({
      read: async (key) => Readable.from([Buffer.from(`TAR ${key}:${this.data[key]}`)]),
      empty: async () => {
        for (const v of spec.volumes) this.data[v.key] = '';
      },
      write: async (key, tar) => {
        this.data[key] = (await read(tar)).toString().replace(`TAR ${key}:`, '');
      },
    }) as Promise<T>;
  }
}

