import { describe, expect, it } from 'vitest';
import { createWriteQueue } from './write-queue';

/** A write that records when it starts and ends, and finishes only when told to. */
function gatedWrite(log: string[], name: string) {
  let release: (fail?: boolean) => void = () => {};
  const gate = new Promise<boolean>((resolve) => (release = (fail = false) => resolve(fail)));
  const write = async () => {
    log.push(`${name} start`);
    const fail = await gate;
    log.push(`${name} end`);
    if (fail) throw new Error(`${name} failed`);
    return name;
  };
  return { write, release };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createWriteQueue', () => {
  it('runs a second write only after the first has finished', async () => {
    const queue = createWriteQueue();
    const log: string[] = [];
    const first = gatedWrite(log, 'first');
    const second = gatedWrite(log, 'second');
    const a = queue(first.write);
    const b = queue(second.write);
    // Both are released before the first has ended; the second must still wait for it.
    second.release();
    await settle();
    expect(log).toEqual(['first start']);
    first.release();
    expect(await Promise.all([a, b])).toEqual(['first', 'second']);
    expect(log).toEqual(['first start', 'first end', 'second start', 'second end']);
  });

  it('hands a failed write its error and still runs the next one', async () => {
    const queue = createWriteQueue();
    const log: string[] = [];
    const failing = gatedWrite(log, 'failing');
    const next = gatedWrite(log, 'next');
    const a = queue(failing.write);
    const b = queue(next.write);
    failing.release(true);
    await expect(a).rejects.toThrow('failing failed');
    next.release();
    await expect(b).resolves.toBe('next');
    expect(log).toEqual(['failing start', 'failing end', 'next start', 'next end']);
  });

  it('keeps separate queues apart', async () => {
    const log: string[] = [];
    const held = gatedWrite(log, 'held');
    const other = gatedWrite(log, 'other');
    const a = createWriteQueue()(held.write);
    const b = createWriteQueue()(other.write);
    other.release();
    await expect(b).resolves.toBe('other');
    held.release();
    await a;
    expect(log.indexOf('other end')).toBeLessThan(log.indexOf('held end'));
  });
});
