import { describe, expect, it } from 'vitest';
import type { OperationEventDto } from './dto/operations';
import { pullProgress } from './pull-progress';

let seq = 0;
const ev = (data: Record<string, unknown>): OperationEventDto => ({ seq: ++seq, at: '2026-01-01T00:00:00Z', step: 'pull', status: 'progress', data, text: '' });

describe('pull progress', () => {
  it('weighs download and extraction per layer and finishes when the image is pulled', () => {
    const img = 'r/tale-platform:1.1.0';
    const events = [
      ev({ image: img, status: 'pulling' }),
      ev({ image: img, layer: 'a', status: 'Downloading', current: 50, total: 100 }),
      ev({ image: img, layer: 'b', status: 'Already exists' }),
      ev({ image: 'r/tale-rag:1.1.0', status: 'pulling' }),
    ];
    const [platform, rag] = pullProgress(events);
    expect(platform).toMatchObject({ image: img, fraction: (0.25 + 1) / 2, done: false, layers: 2, detail: 'Already exists' });
    expect(rag).toMatchObject({ fraction: 0, done: false, layers: 0 });

    events.push(ev({ image: img, layer: 'a', status: 'Extracting', current: 100, total: 100 }));
    expect(pullProgress(events)[0]?.fraction).toBe(1);
    events.push(ev({ image: img, status: 'pulled' }));
    expect(pullProgress(events)[0]).toMatchObject({ done: true, fraction: 1, detail: 'pulled' });
  });

  it('shows an image found already here as done, not as a pull that never moved', () => {
    expect(pullProgress([ev({ image: 'r/tale-rag:1.1.0@sha256:a', status: 'present', prePulledAt: '2026-12-03T09:05:41.000Z' })])).toEqual([
      { image: 'r/tale-rag:1.1.0@sha256:a', fraction: 1, done: true, layers: 0, detail: 'already pulled' },
    ]);
  });

  it('ignores other steps', () => {
    expect(pullProgress([{ seq: 1, at: '', step: 'start', status: 'started', data: { image: 'x' }, text: '' }])).toEqual([]);
  });
});
