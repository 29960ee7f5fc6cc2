import { expect, it } from 'vitest';
import type { LogLine } from '../docker/log-lines';
import type { FollowerDeps } from './log-follower';
import { logStream, sseEncoding } from './log-stream';

// Backpressure: while the reader does not read, the Docker stream is paused; reading resumes it.
it('pauses the engine stream while the client lags and resumes it when the client reads', async () => {
  const calls: string[] = [];
  let emit: (l: LogLine) => void = () => {};
  let finish: (end: 'ended') => void = () => {};
  const deps: FollowerDeps = {
    state: async () => 'running',
    sleep: async () => {},
    open: async (_c, _o, onLine) => {
      emit = onLine;
      return {
        pause: () => calls.push('pause'),
        resume: () => calls.push('resume'),
        close: () => finish('ended'),
        done: new Promise<'ended'>((r) => (finish = r)),
      };
    },
  };
  const ctl = new AbortController();
  const stream = logStream(deps, [{ service: 'platform', container: 'c' }], { follow: true, encoding: sseEncoding, cursors: new Map(), accept: () => true, batchLines: 1 }, ctl.signal);
  await new Promise((r) => setTimeout(r, 10));
  // Nobody reads: every line is a batch; the queue (16 chunks) fills and the stream must pause.
  for (let i = 0; i < 40; i++) emit({ ts: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000000000Z`, stream: 'stdout', text: `l${i}` });
  const firstPause = calls.indexOf('pause');
  expect(firstPause).toBeGreaterThanOrEqual(0);
  expect(calls.slice(firstPause)).not.toContain('resume');
  const reader = stream.getReader();
  let text = '';
  const decoder = new TextDecoder();
  while (!text.includes('l39')) text += decoder.decode((await reader.read()).value);
  expect(calls.at(-1)).toBe('resume');
  // Nothing was dropped while paused.
  for (let i = 0; i < 40; i++) expect(text).toContain(`"text":"l${i}"`);
  await reader.cancel();
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

it('reports a history read the engine broke off as a failure, not as complete', async () => {
  const deps: FollowerDeps = {
    state: async () => 'running',
    sleep: async () => {},
    open: async (_c, _o, onLine) => {
      onLine({ ts: '2026-01-01T00:00:01.000000000Z', stream: 'stdout', text: 'first' });
      return { pause() {}, resume() {}, close() {}, done: Promise.resolve('interrupted' as const) };
    },
  };
  const text = await readAll(
    logStream(deps, [{ service: 'platform', container: 'c' }], { follow: false, encoding: sseEncoding, cursors: new Map(), accept: () => true }, new AbortController().signal),
  );
  expect(text).toContain('"text":"first"');
  expect(text).toContain('event: failure\ndata: {"message":"The Docker Engine broke off this log before its end; what arrived is incomplete."}');
  expect(text).toMatch(/event: end\ndata: \{"reason":"failed"\}\n\n$/);
});

it('tells a follower that its stream was interrupted and carries on', async () => {
  const ends: Array<'interrupted' | 'ended'> = ['interrupted', 'ended'];
  const states: Array<'running' | 'gone'> = ['running', 'running', 'gone'];
  const deps: FollowerDeps = {
    state: async () => states.shift() ?? 'gone',
    sleep: async () => {},
    open: async () => ({ pause() {}, resume() {}, close() {}, done: Promise.resolve(ends.shift() ?? 'ended') }),
  };
  const text = await readAll(
    logStream(deps, [{ service: 'platform', container: 'c' }], { follow: true, encoding: sseEncoding, cursors: new Map(), accept: () => true }, new AbortController().signal),
  );
  const statuses = [...text.matchAll(/event: status\ndata: (.*)\n/g)].map((m) => (JSON.parse(m[1]!) as { state: string }).state);
  expect(statuses).toEqual(['interrupted', 'running', 'removed']);
  expect(text).toMatch(/"reason":"complete"/);
});
