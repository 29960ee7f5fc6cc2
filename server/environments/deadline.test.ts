import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { allWithDeadline, DeadlineError, withDeadline } from './deadline';

// The fleet's parallel-deadline logic on a fake clock: a hung probe settles at its deadline, the
// others settle when they answer, and a value that comes too late is handed on to be cleaned up.

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const never = () => new Promise<never>(() => {});
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('withDeadline', () => {
  it('answers the value when the work ends in time, and the failure when it throws', async () => {
    const ok = withDeadline(() => after(100, 'v'), 3000);
    await vi.advanceTimersByTimeAsync(100);
    expect(await ok).toMatchObject({ ok: true, value: 'v' });
    const failed = withDeadline(() => Promise.reject(new Error('boom')), 3000);
    await vi.advanceTimersByTimeAsync(0);
    expect(await failed).toMatchObject({ ok: false, timedOut: false });
    const thrown = withDeadline(() => {
      throw new Error('sync');
    }, 3000);
    await vi.advanceTimersByTimeAsync(0);
    expect(await thrown).toMatchObject({ ok: false, timedOut: false });
  });

  it('settles at the deadline when the work never ends, aborting its signal', async () => {
    let signal: AbortSignal | null = null;
    let settled = false;
    const p = withDeadline((s) => ((signal = s), never()), 3000).then((r) => ((settled = true), r));
    await vi.advanceTimersByTimeAsync(2999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const r = await p;
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(!r.ok && r.error).toBeInstanceOf(DeadlineError);
    expect(signal!.aborted).toBe(true);
  });

  it('hands a value that came after the deadline to onLate', async () => {
    const late: string[] = [];
    const p = withDeadline(() => after(5000, 'endpoint'), 3000, { onLate: (v) => late.push(v) });
    await vi.advanceTimersByTimeAsync(3000);
    expect(await p).toMatchObject({ ok: false, timedOut: true });
    await vi.advanceTimersByTimeAsync(2000);
    expect(late).toEqual(['endpoint']);
  });
});

describe('allWithDeadline', () => {
  it('runs every item at once: a hung one costs the deadline, not the sum, and order is kept', async () => {
    const started: string[] = [];
    let done = false;
    const all = allWithDeadline(
      ['fast', 'hung', 'slow', 'hung-too'],
      (item) => {
        started.push(item);
        return item.startsWith('hung') ? never() : after(item === 'fast' ? 10 : 2000, item);
      },
      3000,
    ).then((r) => ((done = true), r));
    // All four started before any answered: in parallel, not one after another.
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['fast', 'hung', 'slow', 'hung-too']);
    await vi.advanceTimersByTimeAsync(2999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const results = await all;
    expect(results.map((r) => (r.ok ? r.value : r.ok === false && r.timedOut ? 'timeout' : 'error'))).toEqual(['fast', 'timeout', 'slow', 'timeout']);
  });
});
