import { expect, it } from 'vitest';
import type { LogLineDto } from '@/lib/dto/logs';
import { appendBounded, matchesFilter } from './log-buffer';

const l = (text: string, stream: LogLineDto['stream'] = 'stdout'): LogLineDto => ({ ts: '', service: 'platform', stream, text });

it('keeps only the newest lines up to the limit', () => {
  let buf: LogLineDto[] = [];
  buf = appendBounded(buf, [l('1'), l('2'), l('3')], 4);
  buf = appendBounded(buf, [l('4'), l('5')], 4);
  expect(buf.map((x) => x.text)).toEqual(['2', '3', '4', '5']);
  expect(appendBounded(buf, ['a', 'b', 'c', 'd', 'e'].map((t) => l(t)), 4).map((x) => x.text)).toEqual(['b', 'c', 'd', 'e']);
});

it('filters by stream and by text, case-insensitively', () => {
  expect(matchesFilter(l('Error here', 'stderr'), 'stderr', 'error')).toBe(true);
  expect(matchesFilter(l('Error here', 'stderr'), 'stdout', '')).toBe(false);
  expect(matchesFilter(l('all good'), 'both', 'error')).toBe(false);
});
