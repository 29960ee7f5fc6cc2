// One writer at a time for the deployment directory's files (.env, compose.override.yml, tale.json
// at initialisation). Every save reads the file, checks it against the preview the user confirmed,
// then writes it: two saves interleaved would let the second silently undo the first. Atomic
// writes keep each file whole but cannot order two read-check-write sequences; this queue does,
// within this process: server/runtime.ts makes the one queue, `rt.writes`. (The CLI is kept out by
// the deployment lock, not by this.)

/** Runs `write` once every write queued before it has settled, whatever their outcome. */
export type WriteQueue = <T>(write: () => Promise<T>) => Promise<T>;

export function createWriteQueue(): WriteQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(write: () => Promise<T>): Promise<T> => {
    const run = tail.then(write, write);
    // A failed write is its caller's answer; it must not hold back the next one.
    tail = run.catch(() => undefined);
    return run;
  };
}

