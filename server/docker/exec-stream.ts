import { PassThrough, Writable, type Readable } from 'node:stream';
import type Docker from 'dockerode';

// `docker exec` with an argv array whose output is streamed rather than collected, optionally with
// stdin attached: for piping one container command into another (pg_dump into psql) through the
// console without holding the data in memory. Environment variables go in the exec's Env, so
// secrets (PGPASSWORD) never appear on a command line.

export interface ExecStreamOptions {
  env?: Readonly<Record<string, string>>;
  stdin?: boolean;
}

export interface ExecStream {
  stdout: Readable;
  stderr: Readable;
  /**
   * Present when started with `stdin: true`; ending it closes the command's stdin. Once the
   * command has ended (or its container is gone), writes are accepted and dropped: see execStdin.
   */
  stdin: Writable | null;
  /** Resolves with the exit code once the command has ended and its output is drained. */
  exit: Promise<number | null>;
  /** Cuts the connection (the command sees its pipes close). */
  abort(): void;
}

/** The port the PostgreSQL copy uses; the Docker adapter below is the real one. */
export interface ExecRunner {
  start(container: string, argv: readonly string[], opts?: ExecStreamOptions): Promise<ExecStream>;
}

const HEADER = 8;

/**
 * Splits Docker's multiplexed frames (8-byte header: stream type, 3 zero bytes, big-endian length)
 * into stdout and stderr, waiting for the readers when they are slow: docker-modem's demuxStream
 * ignores backpressure, which for a database dump means buffering all of it.
 */
export async function demux(source: Readable, stdout: PassThrough, stderr: PassThrough): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  const write = async (target: PassThrough, chunk: Buffer) => {
    if (!target.write(chunk)) await new Promise<void>((resolve) => target.once('drain', resolve));
  };
  for await (const chunk of source as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= HEADER) {
      const size = pending.readUInt32BE(4);
      if (pending.length < HEADER + size) break;
      const payload = pending.subarray(HEADER, HEADER + size);
      await write(pending[0] === 2 ? stderr : stdout, payload);
      pending = pending.subarray(HEADER + size);
    }
  }
}

/**
 * The command's stdin over the hijacked socket, with the socket's backpressure, except that once
 * the socket is closed (the command ended, its container was removed) writes are accepted and
 * dropped. Piped into the raw socket, a producer (restic's dump) was unpiped at the close and left
 * paused, so the process behind it blocked on a full pipe forever and nothing ever settled: a
 * restore drill whose throwaway server was removed under it (docs/testbed.md) waited > 285 s.
 * The command's exit code says what happened; what it did not read has nowhere to go anyway.
 */
export function execStdin(socket: Writable): Writable {
  const open = () => !socket.destroyed && socket.writable;
  return new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (!open() || socket.write(chunk)) return callback();
      const resume = () => {
        socket.off('drain', resume);
        socket.off('close', resume);
        callback();
      };
      socket.on('drain', resume);
      socket.on('close', resume);
    },
    final(callback) {
      if (open()) socket.end();
      callback();
    },
  });
}

export async function startExecStream(docker: Docker, container: string, argv: readonly string[], opts: ExecStreamOptions = {}): Promise<ExecStream> {
  const exec = await docker.getContainer(container).exec({
    Cmd: [...argv],
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    AttachStdout: true,
    AttachStderr: true,
    AttachStdin: opts.stdin === true,
    Tty: false,
  });
  const socket = (await exec.start({ hijack: true, stdin: opts.stdin === true })) as unknown as NodeJS.ReadWriteStream & Readable & Writable;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const exit = demux(socket, stdout, stderr)
    .then(
      () => undefined,
      (err: unknown) => {
        // Ended, not destroyed with the error: readers see the end, the caller sees `exit` reject.
        stdout.end();
        stderr.end();
        throw err;
      },
    )
    .then(async () => {
      stdout.end();
      stderr.end();
      return (await exec.inspect()).ExitCode ?? null;
    });
  // The caller may attach its handlers later; an unobserved rejection must not crash the process.
  exit.catch(() => undefined);
  return { stdout, stderr, stdin: opts.stdin ? execStdin(socket) : null, exit, abort: () => socket.destroy() };
}

export function dockerExecRunner(docker: Docker): ExecRunner {
  return { start: (container, argv, opts) => startExecStream(docker, container, argv, opts) };
}
