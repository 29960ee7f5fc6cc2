import { PassThrough, type Readable, type Writable } from 'node:stream';
import type Docker from 'dockerode';
import { demux, type ExecStream } from './exec-stream';
import { commandContainer } from './network-probe';

// One command in a short-lived container on a network, its output streamed rather than collected
// (network-probe.ts collects it): the backup runs pg_dump and psql against an external PostgreSQL
// this way, from the stack's own network and image (server/backup/external-sources.ts). As the
// probe: the image is never pulled, the argv is an array, secrets (PGPASSWORD) travel only in the
// container's environment, and the container is removed once the command has ended.

export interface OneShotSpec {
  /** Names the container `<name>-<random>`. */
  name: string;
  image: string;
  network: string;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
}

export interface OneShotRunner {
  /** Starts the command; the stream's `exit` resolves once it ended and the container is removed. */
  start(spec: OneShotSpec, opts?: { stdin?: boolean }): Promise<ExecStream>;
}

export function createOneShotRunner(docker: Docker): OneShotRunner {
  return {
    async start(spec, opts = {}) {
      const withStdin = opts.stdin === true;
      const container = await docker.createContainer({
        ...commandContainer(spec),
        OpenStdin: withStdin,
        StdinOnce: withStdin,
        AttachStdin: withStdin,
        AttachStdout: true,
        AttachStderr: true,
      });
      const remove = () => container.remove({ force: true }).then(() => undefined, () => undefined);
      let socket: NodeJS.ReadWriteStream & Readable & Writable;
      try {
        // Attached before the start, so no output is lost.
        socket = (await container.attach({ stream: true, stdin: withStdin, stdout: true, stderr: true, hijack: withStdin })) as unknown as NodeJS.ReadWriteStream & Readable & Writable;
        await container.start();
      } catch (err) {
        await remove();
        throw err;
      }
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const ended = demux(socket, stdout, stderr).finally(() => {
        stdout.end();
        stderr.end();
      });
      const exit = (async () => {
        try {
          await ended.catch(() => undefined);
          const waited = (await container.wait()) as { StatusCode?: number };
          return waited.StatusCode ?? null;
        } finally {
          await remove();
        }
      })();
      exit.catch(() => undefined);
      return {
        stdout,
        stderr,
        stdin: withStdin ? socket : null,
        exit,
        abort: () => {
          socket.destroy();
          void container.kill().catch(() => undefined);
        },
      };
    },
  };
}
