import { expect, it } from 'vitest';
import type { LogLine } from '../docker/log-lines';
import type { FollowerDeps } from './log-follower';
import { decodeCursors } from './log-cursor';
import { logStream, sseEncoding } from './log-stream';

// Backpressure: while the reader does not read, the Docker stream is paused; reading resumes it.
it('pauses the engine stream while the client lags and resumes it when the client reads', async () => {
  const calls: string[] = [];
  let emit: (l: LogLine) => void = () => {};
  let finish: (end: 'ended') => void = () => {};
  const deps: FollowerDeps = {
    state: async () => 'running',
    version: async () => null,
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
    version: async () => null,
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
    version: async () => null,
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

it('marks a move to the new colour between the old container\'s lines and the new one\'s, with the cursor to resume from', async () => {
  const states: Array<'running' | 'gone'> = ['running', 'gone', 'running', 'gone'];
  const history: Record<string, Array<[string, string]>> = {
    'p-blue': [['2026-01-01T00:00:05.000000000Z', 'blue last']],
    'p-green': [['2026-01-01T00:00:03.000000000Z', 'green listening']],
  };
  let asked = 0;
  const deps: FollowerDeps = {
    state: async () => states.shift() ?? 'gone',
    version: async (c) => (c === 'p-green' ? '1.1.0' : null),
    sleep: async () => {},
    open: async (c, _o, onLine) => {
      for (const [ts, text] of history[c] ?? []) onLine({ ts, stream: 'stdout', text });
      return { pause() {}, resume() {}, close() {}, done: Promise.resolve('ended' as const) };
    },
  };
  const target = { service: 'platform', container: 'p-blue', successor: async () => (asked++ === 0 ? 'p-green' : null) };
  const text = await readAll(logStream(deps, [target], { follow: true, encoding: sseEncoding, cursors: new Map(), accept: () => true, batchMs: 1000 }, new AbortController().signal));
  const frames = [...text.matchAll(/(?:id: (.*)\n)?event: (\w+)\ndata: (.*)\n\n/g)].map(([, id, event, data]) => ({ id, event, data: JSON.parse(data!) as unknown }));
  expect(frames.map((f) => f.event)).toEqual(['lines', 'marker', 'status', 'lines', 'status', 'end']);
  const marker = frames[1]!;
  expect(marker.data).toMatchObject({ service: 'platform', container: 'p-green', version: '1.1.0' });
  // The old container's line lands before the mark even though it is newer than the new one's first line.
  expect(frames[0]!.data).toMatchObject([{ text: 'blue last' }]);
  expect(frames[3]!.data).toMatchObject([{ text: 'green listening' }]);
  expect(Object.fromEntries(decodeCursors(marker.id!))).toEqual({ 'p-green': { ts: '1970-01-01T00:00:00.000000000Z', seen: 0 } });
});
