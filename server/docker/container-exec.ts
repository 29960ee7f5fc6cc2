import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

// `docker exec` with an argv array (never a shell string) and the output captured, for the few
// commands the CLI runs inside a container (tale convex admin).

export type ExecResult = { exitCode: number | null; stdout: string; stderr: string };

const MAX_OUTPUT = 64 * 1024;

export async function execInContainer(docker: Docker, nameOrId: string, argv: string[], timeoutMs = 30_000): Promise<ExecResult> {
  const exec = await docker.getContainer(nameOrId).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const collect = (into: Buffer[]) => {
    const sink = new PassThrough();
    sink.on('data', (c: Buffer) => {
      if (into.reduce((n, b) => n + b.length, 0) < MAX_OUTPUT) into.push(c);
    });
    return sink;
  };
  docker.modem.demuxStream(stream, collect(out), collect(err));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(Object.assign(new Error(`The command in ${nameOrId} did not finish within ${timeoutMs / 1000} s`), { code: 'EXEC_TIMEOUT' }));
    }, timeoutMs);
    stream.on('end', () => (clearTimeout(timer), resolve()));
    stream.on('close', () => (clearTimeout(timer), resolve()));
    stream.on('error', (e) => (clearTimeout(timer), reject(e)));
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? null, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
