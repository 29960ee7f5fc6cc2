import { describe, expect, it } from 'vitest';
import type { OperationEventDto } from './dto/operations';
import { eventSentence, shortName, timelineRows } from './operation-text';

let seq = 0;
const ev = (step: string, status: string, data: Record<string, unknown> | null = null): OperationEventDto => ({ seq: ++seq, at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}Z`, step, status, data, text: '' });

describe('event sentences', () => {
  it('says what a prune of unused images removed, kept and freed', () => {
    expect(eventSentence(ev('images', 'started', { images: 2, freedBytes: 2 * 1024 * 1024 }))).toBe('Removing 2 unused images of the stack, at least 2.0 MiB');
    expect(eventSentence(ev('images', 'progress', { image: 'r/tale-platform:0.9.0', removed: true, bytes: 1024 }))).toBe('Removed r/tale-platform:0.9.0 (1.0 KiB its own)');
    expect(eventSentence(ev('images', 'progress', { image: 'r/tale-rag:0.9.0', kept: true, reason: 'a container uses it now' }))).toBe('Kept r/tale-rag:0.9.0: a container uses it now');
    expect(eventSentence(ev('images', 'succeeded', { removed: 1, kept: 1, freedBytes: 1024, layersSizeBefore: 2048, layersSizeAfter: 1024 }))).toBe(
      'Removed 1 images, freeing at least 1.0 KiB; kept 1 that became needed; Docker’s image layers went from 2.0 KiB to 1.0 KiB',
    );
  });

  it('says what a health wait waits for and for how long, and how it ended', () => {
    expect(eventSentence(ev('health', 'progress', { containers: ['tl1-platform-green'], waiting: true, timeoutSeconds: 120 }))).toBe(
      'Waiting up to 120 s for platform-green to report healthy…',
    );
    expect(eventSentence(ev('health', 'progress', { container: 'tl1-platform-green', health: 'healthy', afterSeconds: 14.2 }))).toBe('platform-green is healthy after 14 s');
    expect(eventSentence(ev('health', 'progress', { containers: ['a-rag-blue', 'a-crawler-blue'], waiting: false, outcome: 'healthy', afterSeconds: 3, timeoutSeconds: 118 }))).toBe(
      'rag-blue and crawler-blue are healthy after 3 s (allowed: 118 s)',
    );
    expect(eventSentence(ev('health', 'progress', { containers: ['a-rag-blue'], waiting: false, outcome: 'failed', afterSeconds: 30, reason: 'a-rag-blue is unhealthy' }))).toBe(
      'Stopped waiting for rag-blue after 30 s: a-rag-blue is unhealthy',
    );
  });

  it('names services in words, not "stateful progress <name>"', () => {
    expect(eventSentence(ev('stateful', 'progress', { container: 'tl1-db', started: true }))).toBe('Started the database (db)');
    expect(eventSentence(ev('stateful', 'started'))).toBe('Starting the database, the proxy and Convex where they need it');
    expect(eventSentence(ev('infrastructure', 'succeeded'))).toBe('Volumes and network are ready');
    expect(eventSentence(ev('retire', 'progress', { container: 'tl1-platform-blue', retired: true }))).toMatch(/^Retired platform-blue/);
    expect(eventSentence(ev('health', 'failed', { message: 'x exited with code 1', targetRemoved: true }))).toBe(
      'Failed: x exited with code 1. The new colour was removed; the live one was not touched.',
    );
  });

  it('falls back to the step and its details for a shape it does not know', () => {
    expect(eventSentence(ev('mystery', 'progress', { container: 'c1' }))).toBe('mystery: progress · c1');
  });

  it('shortens container names to the stack’s aliases', () => {
    expect(shortName('my-project-platform-green-next')).toBe('platform-green-next');
    expect(shortName('acme-proxy-retiring')).toBe('proxy-retiring');
    expect(shortName('something-else')).toBe('something-else');
  });
});

describe('timeline rows', () => {
  it('collapses one container’s progress and one health wait into a row that updates', () => {
    const rows = timelineRows([
      ev('stateful', 'started'),
      ev('stateful', 'progress', { container: 'tl1-db', created: true }),
      ev('stateful', 'progress', { container: 'tl1-db', started: true }),
      ev('health', 'progress', { containers: ['tl1-db'], waiting: true, timeoutSeconds: 120 }),
      ev('health', 'progress', { container: 'tl1-db', health: 'healthy', afterSeconds: 2 }),
      ev('health', 'progress', { containers: ['tl1-db'], waiting: false, outcome: 'healthy', afterSeconds: 2, timeoutSeconds: 120 }),
      ev('pull', 'progress', { image: 'x', layer: 'l1', status: 'Downloading' }),
    ]);
    expect(rows.map((r) => [r.phase, r.text, r.events])).toEqual([
      ['Databases, proxy', 'Starting the database, the proxy and Convex where they need it', 1],
      ['Databases, proxy', 'Started the database (db)', 2],
      ['Health', 'db is healthy after 2 s (allowed: 120 s)', 3],
    ]);
    // The row keeps its first time: when the wait began.
    expect(rows[2]?.at).toBe('2026-01-01T00:00:' + String(seq - 3).padStart(2, '0') + 'Z');
  });

  it('says images the background pre-pull fetched in one row with its time, others one by one', () => {
    const rows = timelineRows([
      ev('pull', 'progress', { image: 'r/tale-rag:1.1.0@sha256:a', status: 'present', prePulledAt: '2026-12-03T09:05:41.000Z' }),
      ev('pull', 'progress', { image: 'r/tale-platform:1.1.0@sha256:b', status: 'present', prePulledAt: '2026-12-03T09:05:41.000Z' }),
      ev('pull', 'progress', { image: 'r/tale-crawler:1.1.0@sha256:c', status: 'present' }),
    ]);
    expect(rows.map((r) => [r.text, r.events])).toEqual([
      ['Images already pulled in the background (09:05 UTC)', 2],
      ['Already on this host, not pulled again: r/tale-crawler:1.1.0@sha256:c', 1],
    ]);
  });

  it('keeps each container of a wave on its own row beside the wave’s wait', () => {
    const rows = timelineRows([
      ev('health', 'progress', { containers: ['a-rag-blue', 'a-crawler-blue'], waiting: true, timeoutSeconds: 100 }),
      ev('health', 'progress', { container: 'a-rag-blue', health: 'healthy', afterSeconds: 1 }),
    ]);
    expect(rows.map((r) => r.text)).toEqual(['Waiting up to 100 s for rag-blue and crawler-blue to report healthy…', 'rag-blue is healthy after 1 s']);
  });
});
