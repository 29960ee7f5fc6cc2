import type { EnginePorts } from './ports';

/** Holds the deployment lock for the whole of `run`, as the CLI does for deploy, rollback and cleanup. */
export async function underLock<T>(ports: EnginePorts, command: string, run: () => Promise<T>): Promise<T> {
  ports.events.emit({ step: 'lock', status: 'started', data: { command } });
  let lock;
  try {
    lock = await ports.project.acquireLock(command);
  } catch (err) {
    ports.events.emit({ step: 'lock', status: 'failed', data: failureData(err) });
    throw err;
  }
  ports.events.emit({ step: 'lock', status: 'succeeded' });
  try {
    return await run();
  } finally {
    await lock.release();
  }
}

/** The data of a failed step's event: its code and message, nothing more. */
export function failureData(err: unknown): Record<string, unknown> {
  return { code: (err as { code?: unknown }).code ?? null, message: err instanceof Error ? err.message : String(err) };
}
