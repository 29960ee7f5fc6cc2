import { expect, it } from 'vitest';
import { repeatSummary } from './audit-repeats';

it('words the repeats counted on a row, with the date only when the burst crossed midnight', () => {
  expect(repeatSummary({ at: '2026-12-03T06:00:00.000Z', repeatCount: 0, lastRepeatAt: null })).toBe('');
  expect(repeatSummary({ at: '2026-12-03T06:00:00.000Z', repeatCount: 9999, lastRepeatAt: '2026-12-03T06:12:05.120Z' })).toBe('and 9,999 more until 06:12:05');
  expect(repeatSummary({ at: '2026-12-03T23:58:00.000Z', repeatCount: 1, lastRepeatAt: '2026-12-04T00:03:00.000Z' })).toBe('and 1 more until 2026-12-04 00:03:00');
});
