import { expect, it } from 'vitest';
import type { LogLineDto } from '@/lib/dto/logs';
import { appendBounded, markerText, matchesFilter, type LogMarkerRow } from './log-buffer';

const l = (text: string, stream: LogLineDto['stream'] = 'stdout'): LogLineDto => ({ ts: '', service: 'platform', stream, text });
const mark: LogMarkerRow = { marker: true, ts: '', service: 'platform', container: 'tale-platform-green', version: '1.1.0' };

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

it('keeps the mark of a move visible whatever the filter, and names the container and version', () => {
  expect(matchesFilter(mark, 'stderr', 'nothing like it')).toBe(true);
  expect(markerText(mark)).toBe('now following tale-platform-green, 1.1.0');
  expect(markerText({ ...mark, version: null })).toBe('now following tale-platform-green');
});
