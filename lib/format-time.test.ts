import { describe, expect, it } from 'vitest';
import { formatTime } from './format-time';

describe('formatTime', () => {
  it('prints UTC to the second, whatever offset the timestamp carries', () => {
    expect(formatTime('2026-12-03T08:28:48.123Z')).toBe('2026-12-03 08:28:48');
    expect(formatTime('2026-12-03T21:28:48+13:00')).toBe('2026-12-03 08:28:48');
  });

  it('leaves a text that is not a timestamp as it is', () => {
    expect(formatTime('soon')).toBe('soon');
  });
});
