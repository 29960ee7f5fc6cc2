import { describe, expect, it } from 'vitest';
import type { PrePullStatusDto } from './dto/pre-pull';
import { prePullWords } from './pre-pull-text';

const base: PrePullStatusDto = {
  enabled: true,
  intervalMinutes: 15,
  state: 'idle',
  version: null,
  progress: null,
  bytes: null,
  operationId: null,
  finishedAt: null,
  error: null,
  lastCheck: null,
  updatedBy: null,
  updatedAt: null,
};

describe('prePullWords', () => {
  it('says ready with the disk cost, progress while pulling, off, a failure, and nothing when idle', () => {
    expect(prePullWords({ ...base, state: 'ready', version: '1.2.0', bytes: 1.4 * 1024 ** 3 })).toBe('1.2.0 ready (pulled, 1.4 GiB on disk)');
    expect(prePullWords({ ...base, state: 'ready', version: '1.2.0' })).toBe('1.2.0 ready (pulled)');
    expect(prePullWords({ ...base, state: 'pulling', version: '1.2.0', progress: 0.456 })).toBe('Pulling 1.2.0 in the background: 45%');
    expect(prePullWords({ ...base, enabled: false, state: 'off' })).toBe('Background pre-pull: off');
    expect(prePullWords({ ...base, state: 'failed', version: '1.2.0', error: { code: 'PRE_PULL_FAILED', message: 'Could not pull x: manifest unknown.' } })).toBe(
      'Pre-pull of 1.2.0 failed: Could not pull x: manifest unknown. It is tried again in the next round.',
    );
    expect(prePullWords(base)).toBeNull();
    expect(prePullWords(null)).toBeNull();
  });
});
