import type { ActionResult } from './action-result';

// A server action is a fetch: when the connection drops (Chromium aborts requests in flight whenever
// a network interface comes or goes, which Docker does on a busy host) it throws, and a throw
// inside a transition takes the whole page down to the error boundary. These turn it into an
// answer the form can show. Only a read may be sent again: a start that was lost may have run.

const LOST = 'The console could not be reached (the connection was lost).';

/** A read (a plan preview): tried once more after a second, then answered as an error. */
export async function readAction<T>(call: () => Promise<ActionResult<T>>, wait = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<ActionResult<T>> {
  try {
    return await call();
  } catch {
    await wait(1000);
    try {
      return await call();
    } catch {
      return { ok: false, code: 'CONNECTION_LOST', message: `${LOST} Try again.` };
    }
  }
}

/** A change (a deploy): never sent twice; the operator is told to look before trying again. */
export async function changeAction<T>(call: () => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  try {
    return await call();
  } catch {
    return { ok: false, code: 'CONNECTION_LOST', message: `${LOST} It may have started: look at the history before trying again.` };
  }
}
