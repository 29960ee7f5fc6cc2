import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { BackupError } from './backup-error';
import type { BackupRepository, RepositorySnapshot } from './ports';
import { classifyResticFailure, lastLine, reasonLine, type ResticLocation } from './target';

// The one place that runs restic (Debian's package): always as a child process with an argv array,
// never through a shell. The repository and its password reach restic through the environment
// (RESTIC_REPOSITORY, RESTIC_PASSWORD_FILE pointing at a 0600 file), never on a command line, and
// the child's environment holds nothing else of the console's. Every answer is read with `--json`
// and parsed with zod: a restic that says something else is an error, not a guess.

export interface ResticConfig {
  /** Absolute path of the restic binary. */
  binary: string;
  /** A local directory repository: the default target. */
  repository: string;
  /** The configured target (local, SFTP or S3), read at every call so a new setting applies at once. */
  location?: (run: { sshLog: string }) => ResticLocation;
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
  /** What restic wrote to stderr so far (the first 16 KiB). */
  stderr(): string;
};

function errorOf(command: string, code: number | null, stderr: string, secrets: string[]): BackupError {
  const known = classifyResticFailure(stderr);
  // restic never prints a credential, but an error text must not carry one even if it did.
  const clean = (text: string) => secrets.reduce((t, s) => (s.length >= 4 ? t.split(s).join('[redacted]') : t), text);
  if (known) return new BackupError(known.code, clean(known.message));
  return new BackupError('BACKUP_TOOL_FAILED', clean(`restic ${command} failed (exit ${code ?? 'signal'}): ${reasonLine(stderr)}`));
}

export function createResticRepository(config: ResticConfig): BackupRepository {
  const where = (run: { sshLog: string } = { sshLog: '' }): ResticLocation => config.location?.(run) ?? { repository: config.repository, display: config.repository, args: [], env: {}, localPath: config.repository };

  function run(args: readonly string[], opts: { signal?: AbortSignal; stdin?: boolean; probe?: boolean } = {}): Child {
    const sshLog = path.join(config.cacheDir, `ssh-${randomUUID()}.log`);
    mkdirSync(config.cacheDir, { recursive: true, mode: 0o700 });
    const loc = where({ sshLog });
    const env = {
      RESTIC_REPOSITORY: loc.repository,
      // A probe (is there a repository at all?) before any password exists: restic wants one
      // before it looks, and a wrong one still tells "none there" from "one there".
      ...(opts.probe ? { RESTIC_PASSWORD: 'no-password-yet' } : { RESTIC_PASSWORD_FILE: config.passwordFile }),
      RESTIC_CACHE_DIR: config.cacheDir,
      // restic (and the ssh it runs) want a home for nothing they use here; never the console's own.
      HOME: config.cacheDir,
      // S3 credentials: in the environment only, never in argv (a process listing shows argv).
      ...loc.env,
    };
    // The child's environment is exactly `env`: nothing else of the console's reaches restic.
    const child = spawn(config.binary, [...loc.args, ...args], { env: env as unknown as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
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
        try {
          stderr += '\n' + readFileSync(sshLog, 'utf8').slice(0, MAX_STDERR);
          rmSync(sshLog, { force: true });
        } catch {
          // no ssh ran (not an SFTP target) or it wrote nothing
        }
        if (opts.signal?.aborted) reject(new BackupError('CANCELLED', 'Cancelled by a user.'));
        else if (code === 0) resolve();
        else reject(errorOf(args[0] ?? '', code, stderr, Object.values(loc.env)));
      });
    });
    done.catch(() => undefined);
    child.stdin.on('error', () => undefined); // restic may exit first; its exit code says why
    return { stdin: child.stdin, stdout: child.stdout, done, kill, stderr: () => stderr };
  }

  async function collect(args: readonly string[], opts: { probe?: boolean } = {}): Promise<string> {
    const child = run(args, opts);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    await child.done;
    return out;
  }

  return {
    get location() {
      return where().display;
    },

    async isInitialised() {
      const loc = where();
      if (loc.localPath === null) {
        // A remote repository: restic reads its config file; only "there is none" means "not yet".
        await fs.mkdir(config.cacheDir, { recursive: true, mode: 0o700 });
        const probe = !(await fs.stat(config.passwordFile).then(() => true, () => false));
        return collect(['cat', 'config'], { probe }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof BackupError && err.code === 'BACKUP_REPOSITORY_MISSING') return false;
            if (probe && err instanceof BackupError && err.code === 'BACKUP_WRONG_PASSWORD') return true;
            throw err;
          },
        );
      }
      return fs.stat(path.join(loc.localPath, 'config')).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return false;
          throw err;
        },
      );
    },

    async init() {
      const local = where().localPath;
      if (local !== null) await fs.mkdir(path.dirname(local), { recursive: true, mode: 0o700 });
      await fs.mkdir(config.cacheDir, { recursive: true, mode: 0o700 });
      // restic prints the repository id and a reminder about the password (not the password).
      await collect(['init']);
    },

    async open() {
      // Reads and decrypts the repository's config: the password, the credentials and the path
      // are all proven, and nothing is written.
      if (!(await fs.stat(config.passwordFile).then(() => true, () => false))) {
        throw new BackupError('BACKUP_WRONG_PASSWORD', 'A repository exists at the target, but this console holds no password for it.');
      }
      await fs.mkdir(config.cacheDir, { recursive: true, mode: 0o700 });
      await collect(['cat', 'config']);
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

    async check(opts) {
      // --read-data reads every pack back and verifies its hash: the only way to find a flipped
      // byte (the structure check alone sees only missing files). Meant for small repositories.
      const child = run(['check', '--no-lock', ...(opts.readData ? ['--read-data'] : [])], { signal: opts.signal });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (c: string) => {
        if (out.length < MAX_STDERR) out += c;
      });
      try {
        await child.done;
        return { ok: true as const, output: lastLine(out) };
      } catch (err) {
        // restic check exits 1 when it found damage; its stdout/stderr name what (a pack, a blob).
        if (err instanceof BackupError && err.code === 'BACKUP_TOOL_FAILED') {
          // restic's retries ("… returned error, retrying after …") repeat one cause: they must not
          // crowd out the line that names the pack ("pack <id>: does not exist").
          const detail = (child.stderr() + '\n' + out)
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => !/retrying after/i.test(l) && /error|damaged|not found|does not exist|does not match|invalid|unreferenced|missing/i.test(l));
          throw new BackupError('BACKUP_REPOSITORY_CORRUPT', `The repository is damaged: ${[...detail.slice(0, 5), err.message].join(' | ')}`);
        }
        throw err;
      }
    },
  };
}
