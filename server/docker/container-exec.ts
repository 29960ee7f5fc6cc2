import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { startExecStream } from './exec-stream';

// `docker exec` with an argv array (never a shell string) and the output captured, for the few
// commands the CLI runs inside a container (tale convex admin). Built on the streaming exec, with
// a cap on what is kept and a deadline.

export type ExecResult = { exitCode: number | null; stdout: string; stderr: string };

const MAX_OUTPUT = 64 * 1024;

/** Reads a stream to its end, keeping its first `limit` bytes; the answer is what was kept so far. */
export function captured(from: Readable, limit = MAX_OUTPUT): () => string {
  const parts: Buffer[] = [];
  let size = 0;
  from.on('data', (chunk: Buffer) => {
    if (size >= limit) return;
    parts.push(chunk);
    size += chunk.length;
  });
  return () => Buffer.concat(parts).toString('utf8');
}

export async function execInContainer(docker: Docker, nameOrId: string, argv: string[], timeoutMs = 30_000): Promise<ExecResult> {
  const run = await startExecStream(docker, nameOrId, argv);
  const stdout = captured(run.stdout);
  const stderr = captured(run.stderr);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.abort();
      reject(Object.assign(new Error(`The command in ${nameOrId} did not finish within ${timeoutMs / 1000} s`), { code: 'EXEC_TIMEOUT' }));
    }, timeoutMs);
  });
  try {
    const exitCode = await Promise.race([run.exit, deadline]);
    return { exitCode, stdout: stdout(), stderr: stderr() };
  } finally {
    clearTimeout(timer);
  }
}
