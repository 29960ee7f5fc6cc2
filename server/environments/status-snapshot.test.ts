import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSnapshotKeeper } from './status-snapshot';

// The kept status of an environment: a fresh snapshot is answered from memory, an old one is read
// again, a read under way is joined, a hung read becomes a timeout at the deadline (kept, so the
// next ask answers at once) and is replaced when the late answer comes, and stop() ends the reads.

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('createSnapshotKeeper', () => {
  it('answers a snapshot younger than the limit from memory, and reads again when it is older', async () => {
    let reads = 0;
    const k = createSnapshotKeeper({ read: async () => ++reads, deadlineMs: 3000, intervalMs: 10_000 });
    const first = await k.get(15_000);
    expect(first.settled).toMatchObject({ ok: true, value: 1 });
    expect(first.at).toBe(Date.now());
    vi.advanceTimersByTime(14_000);
    expect((await k.get(15_000)).settled).toMatchObject({ ok: true, value: 1 });
    expect(reads).toBe(1);
    vi.advanceTimersByTime(2_000);
    const again = await k.get(15_000);
    expect(again.settled).toMatchObject({ ok: true, value: 2 });
    expect(again.at).toBe(Date.now());
  });

  it('joins a read under way instead of starting another', async () => {
    const d = deferred<string>();
    const read = vi.fn(() => d.promise);
    const k = createSnapshotKeeper({ read, deadlineMs: 3000, intervalMs: 10_000 });
    const a = k.refresh();
    const b = k.get(15_000);
    await Promise.resolve();
    d.resolve('up');
    expect((await a).settled).toMatchObject({ ok: true, value: 'up' });
    expect((await b).settled).toMatchObject({ ok: true, value: 'up' });
    expect(read).toHaveBeenCalledTimes(1);
  });

  it('keeps a hung read as a timeout at the deadline, answers it at once after, and takes the late answer', async () => {
    const d = deferred<string>();
    const read = vi.fn(() => d.promise);
    const k = createSnapshotKeeper({ read, deadlineMs: 3000, intervalMs: 10_000 });
    const pending = k.get(15_000);
    await vi.advanceTimersByTimeAsync(3000);
    const timedOut = await pending;
    expect(timedOut.settled).toMatchObject({ ok: false, timedOut: true });
    // Kept: the next ask does not wait for the host again.
    let answered = false;
    void k.get(15_000).then(() => (answered = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(answered).toBe(true);
    // A refresh while the hung read is still under way joins it: no second read piles up.
    const joined = k.refresh();
    await vi.advanceTimersByTimeAsync(3000);
    expect((await joined).settled).toMatchObject({ ok: false, timedOut: true });
    expect(read).toHaveBeenCalledTimes(1);
    d.resolve('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(k.peek()!.settled).toMatchObject({ ok: true, value: 'late' });
  });

  it('keeps a failure as a failure (not an old success)', async () => {
    let fail = false;
    const k = createSnapshotKeeper({ read: async () => (fail ? Promise.reject(new Error('gone')) : 'up'), deadlineMs: 3000, intervalMs: 10_000 });
    expect((await k.refresh()).settled).toMatchObject({ ok: true, value: 'up' });
    fail = true;
    const s = await k.refresh();
    expect(s.settled).toMatchObject({ ok: false, timedOut: false });
    expect(k.peek()).toBe(s);
  });

  it('reads on start and every interval until stopped', async () => {
    let reads = 0;
    const k = createSnapshotKeeper({ read: async () => ++reads, deadlineMs: 3000, intervalMs: 10_000 });
    k.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toBe(1);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(reads).toBe(3);
    k.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(reads).toBe(3);
  });
});
