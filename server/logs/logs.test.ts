import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { abortableSleep } from './logs';

describe('the log follower sleep', () => {
  it('leaves no abort listener behind, however often it sleeps on one signal', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 25; i++) await abortableSleep(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('wakes when the reader goes away, and does not sleep on a signal already aborted', async () => {
    // A minute-long sleep that did not wake would outlast the test's own timeout.
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    await abortableSleep(60_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
