import { afterEach, describe, expect, it, vi } from 'vitest';
import { SSE_HEARTBEAT, sseResponse } from './sse';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A body whose frames the test sends by hand, recording whether it was cancelled and read. */
function handBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const seen = { cancelled: false, pulls: 0 };
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => void (controller = c),
      pull: () => void seen.pulls++,
      cancel: () => void (seen.cancelled = true),
    },
    { highWaterMark: 0 },
  );
  return { body, seen, send: (text: string) => controller.enqueue(encoder.encode(text)), end: () => controller.close() };
}

const read = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
  const { done, value } = await reader.read();
  return done ? null : decoder.decode(value);
};

afterEach(() => {
  vi.useRealTimers();
});

describe('sseResponse', () => {
  it('answers with the event-stream headers that keep proxies from buffering', () => {
    const res = sseResponse(handBody().body, new AbortController().signal);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
  });

  it('passes the frames through in order and ends when the body ends', async () => {
    const source = handBody();
    const reader = sseResponse(source.body, new AbortController().signal).body!.getReader();
    source.send('event: step\ndata: 1\n\n');
    source.send('event: end\ndata: 2\n\n');
    source.end();
    expect(await read(reader)).toBe('event: step\ndata: 1\n\n');
    expect(await read(reader)).toBe('event: end\ndata: 2\n\n');
    expect(await read(reader)).toBeNull();
  });

  it('sends a heartbeat comment while the stream is idle, and none after it ended', async () => {
    vi.useFakeTimers();
    const source = handBody();
    const reader = sseResponse(source.body, new AbortController().signal, 15_000).body!.getReader();
    const next = read(reader);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await next).toBe(SSE_HEARTBEAT);
    expect(SSE_HEARTBEAT).toMatch(/^:.*\n\n$/);
    source.end();
    expect(await read(reader)).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels the body and stops the heartbeat when the client goes away (abort)', async () => {
    vi.useFakeTimers();
    const source = handBody();
    const client = new AbortController();
    const reader = sseResponse(source.body, client.signal).body!.getReader();
    client.abort();
    expect(await read(reader)).toBeNull();
    await vi.advanceTimersByTimeAsync(0);
    expect(source.seen.cancelled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancels the body when the response is cancelled', async () => {
    vi.useFakeTimers();
    const source = handBody();
    const reader = sseResponse(source.body, new AbortController().signal).body!.getReader();
    await reader.cancel();
    expect(source.seen.cancelled).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reads the body only when the client reads, so the body keeps its own backpressure', async () => {
    const source = handBody();
    const reader = sseResponse(source.body, new AbortController().signal).body!.getReader();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.seen.pulls).toBe(0);
    const next = read(reader);
    source.send('data: x\n\n');
    expect(await next).toBe('data: x\n\n');
    await reader.cancel();
  });
});
