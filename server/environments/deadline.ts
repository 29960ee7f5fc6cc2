// The fleet asks every environment at once, each with its own deadline, so one host that does not
// answer (a listener that accepts and never speaks, a dropped route) costs the page at most the
// deadline and never delays the others' answers.

export type Settled<T> = { ok: true; value: T; ms: number } | { ok: false; error: unknown; timedOut: boolean; ms: number };

export class DeadlineError extends Error {
  constructor(public readonly ms: number) {
    super(`No answer within ${ms / 1000} s.`);
    this.name = 'DeadlineError';
  }
}

/**
 * Runs `work` with an abort signal that fires at the deadline; settles at the deadline at the
 * latest whatever `work` does. Work that ends later is left to its own cleanup (`onLate` hears a
 * value that came too late, so an endpoint opened after the deadline is still closed).
 */
export function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  ms: number,
  opts: { now?: () => number; onLate?: (value: T) => void } = {},
): Promise<Settled<T>> {
  const now = opts.now ?? Date.now;
  const started = now();
  const controller = new AbortController();
  return new Promise((resolve) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      controller.abort(new DeadlineError(ms));
      resolve({ ok: false, error: new DeadlineError(ms), timedOut: true, ms: now() - started });
    }, ms);
    // Promise.resolve().then: a work function that throws synchronously is a failure like any.
    Promise.resolve()
      .then(() => work(controller.signal))
      .then(
        (value) => {
          if (settled) return opts.onLate?.(value);
          settled = true;
          clearTimeout(timer);
          resolve({ ok: true, value, ms: now() - started });
        },
        (error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ ok: false, error, timedOut: false, ms: now() - started });
        },
      );
  });
}

/** Every item's work at once, each under its own deadline; answers in the items' order. */
export function allWithDeadline<I, T>(items: readonly I[], work: (item: I, signal: AbortSignal) => Promise<T>, ms: number, onLate?: (value: T) => void): Promise<Settled<T>[]> {
  return Promise.all(items.map((item) => withDeadline((signal) => work(item, signal), ms, { onLate })));
}
