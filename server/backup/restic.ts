import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { BackupError } from './backup-error';
import type { BackupRepository, RepositorySnapshot } from './ports';

// The one place that runs restic (Debian's package): always as a child process with an argv array,
// never through a shell. The repository and its password reach restic through the environment
// (RESTIC_REPOSITORY, RESTIC_PASSWORD_FILE pointing at a 0600 file), never on a command line, and
// the child's environment holds nothing else of the console's. Every answer is read with `--json`
// and parsed with zod: a restic that says something else is an error, not a guess.

export interface ResticConfig {
  /** Absolute path of the restic binary. */
  binary: string;
  /** A local directory repository. */
  repository: string;
  /** 0600 file holding the repository password. */
  passwordFile: string;
  cacheDir: string;
}

/** stderr kept for the error message: restic's last line says why. */
const MAX_STDERR = 16 * 1024;

const statusLine = z.object({ message_type: z.literal('status'), bytes_done: z.number().optional() }).loose();
const summaryLine = z
  .object({ message_type: z.literal('summary'), snapshot_id: z.string().regex(/^[0-9a-f]{8,64}$/), data_added: z.number(), total_bytes_processed: z.number() })
  .loose();
const errorLine = z.object({ message_type: z.literal('error') }).loose();
const backupLine = z.discriminatedUnion('message_type', [statusLine, summaryLine, errorLine]);

const snapshotSchema = z
  .object({ id: z.string().regex(/^[0-9a-f]{64}$/), short_id: z.string(), time: z.string(), paths: z.array(z.string()), tags: z.array(z.string()).nullish() })
  .loose();
const snapshotsSchema = z.array(snapshotSchema);

type Child = {
  stdin: NodeJS.WritableStream;
  stdout: Readable;
  done: Promise<void>;
  kill(): void;
};

/** The last non-empty stderr line, which is where restic says what failed. */
function reason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1) ?? 'no message';
}

function errorOf(args: readonly string[], code: number | null, stderr: string): BackupError {
  const why = reason(stderr);
  if (/wrong password|no key found/i.test(stderr)) return new BackupError('BACKUP_WRONG_PASSWORD', 'The backup repository does not accept the stored password.');
  if (/unable to open config file|repository does not exist|Is there a repository at the following location/i.test(stderr)) {
    return new BackupError('BACKUP_REPOSITORY_MISSING', 'There is no backup repository at the configured location.');
  }
  if (/no space left on device/i.test(stderr)) return new BackupError('BACKUP_TARGET_FULL', 'The backup target is full: the backup was not completed.');
  return new BackupError('BACKUP_TOOL_FAILED', `restic ${args[0]} failed (exit ${code ?? 'signal'}): ${why}`);
}

export function createResticRepository(config: ResticConfig): BackupRepository {
  const env = {
    RESTIC_REPOSITORY: config.repository,
    RESTIC_PASSWORD_FILE: config.passwordFile,
    RESTIC_CACHE_DIR: config.cacheDir,
    // restic wants a home for nothing it uses here; never the console's own.
    HOME: config.cacheDir,
  };

  function run(args: readonly string[], opts: { signal?: AbortSignal; stdin?: boolean } = {}): Child {
    // The child's environment is exactly `env`: nothing else of the console's reaches restic.
    const child = spawn(config.binary, [...args], { env: env as unknown as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    if (!opts.stdin) child.stdin.end();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => {
      if (stderr.length < MAX_STDERR) stderr += c;
    });
    // SIGINT lets restic remove its repository lock before it exits.
    const kill = () => child.kill('SIGINT');
    // A signal that is already aborted never fires its event again.
    if (opts.signal?.aborted) kill();
    else opts.signal?.addEventListener('abort', kill, { once: true });
    const done = new Promise<void>((resolve, reject) => {
      child.on('error', (err) => reject(new BackupError('BACKUP_TOOL_MISSING', `restic could not be started (${config.binary}): ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
      child.on('close', (code) => {
        opts.signal?.removeEventListener('abort', kill);
        if (opts.signal?.aborted) reject(new BackupError('CANCELLED', 'Cancelled by a user.'));
        else if (code === 0) resolve();
        else reject(errorOf(args, code, stderr));
      });
    });
    done.catch(() => undefined);
    child.stdin.on('error', () => undefined); // restic may exit first; its exit code says why
    return { stdin: child.stdin, stdout: child.stdout, done, kill };
  }

  async function collect(args: readonly string[]): Promise<string> {
    const child = run(args);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    await child.done;
    return out;
  }

  return {
    location: config.repository,

    async isInitialised() {
      return fs.stat(path.join(config.repository, 'config')).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return false;
          throw err;
        },
      );
    },

    async init() {
      await fs.mkdir(path.dirname(config.repository), { recursive: true, mode: 0o700 });
      await fs.mkdir(config.cacheDir, { recursive: true, mode: 0o700 });
      // restic prints the repository id and a reminder about the password (not the password).
      await collect(['init']);
    },

    async unlock() {
      // Removes only stale locks (a restic that was killed); a live one stays.
      await collect(['unlock']);
    },

    async backupStdin(input, opts) {
      const args = ['backup', '--json', '--stdin', `--stdin-filename=${opts.filename}`, '--host=tale-console', ...opts.tags.map((t) => `--tag=${t}`)];
      const child = run(args, { signal: opts.signal, stdin: true });
      let bytes = 0;
      input.on('data', (c: Buffer) => {
        bytes += c.length;
        opts.onBytes?.(bytes);
      });
      const fed = new Promise<void>((resolve, reject) => {
        input.once('error', reject);
        input.once('end', resolve);
      });
      fed.catch(() => undefined); // observed below; a late error must not go unhandled
      input.pipe(child.stdin);
      let summary: z.infer<typeof summaryLine> | null = null;
      let rest = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        const lines = (rest + c).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line.trim()) continue;
          let json: unknown;
          try {
            json = JSON.parse(line);
          } catch {
            continue; // not one of restic's JSON lines: only the summary matters
          }
          const parsed = backupLine.safeParse(json);
          if (parsed.success && parsed.data.message_type === 'summary') summary = parsed.data as z.infer<typeof summaryLine>;
        }
      });
      try {
        // Whichever ends first: a source that fails must not leave restic waiting, and a restic
        // that fails (full disk, cancel) must not leave the source waiting for a reader.
        await Promise.race([fed, child.done]);
      } catch (err) {
        input.unpipe(child.stdin);
        input.destroy();
        child.kill();
        await child.done.catch(() => undefined);
        throw err;
      }
      await child.done;
      const s = summary as z.infer<typeof summaryLine> | null;
      if (!s) throw new BackupError('BACKUP_TOOL_FAILED', 'restic finished without reporting a snapshot.');
      if (s.total_bytes_processed !== bytes) {
        throw new BackupError('BACKUP_TOOL_FAILED', `restic stored ${s.total_bytes_processed} bytes of ${opts.filename}, but ${bytes} were sent.`);
      }
      return { snapshotId: s.snapshot_id, bytes, dataAdded: s.data_added };
    },

    async snapshots(tags) {
      const out = await collect(['snapshots', '--json', ...(tags.length ? [`--tag=${tags.join(',')}`] : [])]);
      const parsed = snapshotsSchema.safeParse(JSON.parse(out || '[]'));
      if (!parsed.success) throw new BackupError('BACKUP_TOOL_FAILED', 'restic listed its snapshots in an unexpected form.');
      return parsed.data.map((s): RepositorySnapshot => ({ id: s.id, shortId: s.short_id, time: s.time, paths: s.paths, tags: s.tags ?? [] }));
    },

    dump(snapshotId, filename, signal) {
      const child = run(['dump', snapshotId, filename], { signal });
      return { stream: child.stdout, done: child.done };
    },

    async forget(ids) {
      if (ids.length === 0) return;
      await collect(['forget', ...ids]);
    },

    async prune() {
      await collect(['prune']);
    },

    async check() {
      await collect(['check']);
    },
  };
}
