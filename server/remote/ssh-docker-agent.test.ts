import { PassThrough } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asSocket } from './ssh-docker-agent';

afterEach(() => {
  vi.useRealTimers();
});

describe('asSocket', () => {
  it("gives an ssh channel the idle timeout node's http sets on its socket", () => {
    vi.useFakeTimers();
    const channel = new PassThrough();
    const socket = asSocket(channel as unknown as ClientChannel) as PassThrough & { setTimeout(ms: number, cb?: () => void): unknown };
    channel.on('data', () => {}); // http's own reader
    const fired = vi.fn();
    socket.setTimeout(10_000, fired);
    vi.advanceTimersByTime(9_000);
    channel.write('HTTP/1.1 200 OK\r\n'); // traffic restarts the idle clock
    vi.advanceTimersByTime(9_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_001);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('has the socket methods http calls', () => {
    const socket = asSocket(new PassThrough() as unknown as ClientChannel) as unknown as Record<string, () => unknown>;
    for (const m of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) expect(typeof socket[m]).toBe('function');
  });
});
