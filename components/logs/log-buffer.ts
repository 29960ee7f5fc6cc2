import type { LogLineDto, LogMarkerDto } from '@/lib/dto/logs';

/**
 * What the viewer lists: a log line as it came, or the mark where the follow moved to another
 * container (lines are listed as the server sent them: no copy per line on a fast follow).
 */
export type LogMarkerRow = LogMarkerDto & { marker: true };
export type LogRow = LogLineDto | LogMarkerRow;

export const isMarker = (row: LogRow): row is LogMarkerRow => 'marker' in row;

/**
 * A bounded window of rows: appending past the limit drops the oldest, so a long follow never
 * grows the page's memory without end. The array is replaced, never mutated in place, so React
 * can compare by reference.
 */
export function appendBounded<T>(rows: readonly T[], incoming: readonly T[], limit: number): T[] {
  if (incoming.length >= limit) return incoming.slice(incoming.length - limit);
  const overflow = rows.length + incoming.length - limit;
  const kept = overflow > 0 ? rows.slice(overflow) : rows;
  return kept.concat(incoming);
}

/** A mark stays whatever the filter: it tells whose lines the ones after it are. */
export function matchesFilter(row: LogRow, stream: 'both' | 'stdout' | 'stderr', needle: string): boolean {
  if (isMarker(row)) return true;
  if (stream !== 'both' && row.stream !== stream) return false;
  return !needle || row.text.toLowerCase().includes(needle);
}

export function markerText(m: LogMarkerDto): string {
  return `now following ${m.container}${m.version ? `, ${m.version}` : ''}`;
}
