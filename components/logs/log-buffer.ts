import type { LogLineDto } from '@/lib/dto/logs';

/**
 * A bounded window of lines: appending past the limit drops the oldest, so a long follow never
 * grows the page's memory without end. The array is replaced, never mutated in place, so React
 * can compare by reference.
 */
export function appendBounded(lines: readonly LogLineDto[], incoming: readonly LogLineDto[], limit: number): LogLineDto[] {
  if (incoming.length >= limit) return incoming.slice(incoming.length - limit);
  const overflow = lines.length + incoming.length - limit;
  const kept = overflow > 0 ? lines.slice(overflow) : lines;
  return kept.concat(incoming);
}

export function matchesFilter(line: LogLineDto, stream: 'both' | 'stdout' | 'stderr', needle: string): boolean {
  if (stream !== 'both' && line.stream !== stream) return false;
  return !needle || line.text.toLowerCase().includes(needle);
}
