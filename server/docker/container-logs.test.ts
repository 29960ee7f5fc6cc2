import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamEnd } from './container-logs';

describe('streamEnd', () => {
  it('reports a stream the engine finished as ended, after flushing the last line', async () => {
    const raw = new PassThrough();
    let flushed = 0;
    const done = streamEnd(raw, () => flushed++);
    raw.resume();
    raw.end();
    await expect(done).resolves.toBe('ended');
    expect(flushed).toBe(1);
  });

  it('reports a stream that failed midway as interrupted, keeping its unterminated fragment back', async () => {
    const raw = new PassThrough();
    let flushed = 0;
    const done = streamEnd(raw, () => flushed++);
    raw.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(done).resolves.toBe('interrupted');
    expect(flushed).toBe(0);
    // A late second error must not become an uncaught exception.
    raw.emit('error', new Error('again'));
  });

  it('reports a stream we closed ourselves as ended', async () => {
    const raw = new PassThrough();
    const done = streamEnd(raw, () => {});
    raw.destroy();
    await expect(done).resolves.toBe('ended');
  });
});
