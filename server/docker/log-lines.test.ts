import { describe, expect, it } from 'vitest';
import { fromDockerTime, LineSplitter, timestampKey, toDockerTime, type LogLine } from './log-lines';

function split(chunks: Buffer[]): LogLine[] {
  const out: LogLine[] = [];
  const s = new LineSplitter('stderr', (l) => out.push(l));
  chunks.forEach((c) => s.push(c));
  s.flush();
  return out;
}

describe('LineSplitter', () => {
  it('splits on newlines across chunks and parses the timestamp prefix', () => {
    const text = '2026-11-26T04:53:24.123456789Z first\n2026-11-26T04:53:24.2Z second line\r\n2026-11-26T04:53:25.000000001Z tail';
    const bytes = Buffer.from(text);
    const chunked = [bytes.subarray(0, 7), bytes.subarray(7, 40), bytes.subarray(40)];
    expect(split(chunked)).toEqual([
      { ts: '2026-11-26T04:53:24.123456789Z', stream: 'stderr', text: 'first' },
      { ts: '2026-11-26T04:53:24.2Z', stream: 'stderr', text: 'second line' },
      { ts: '2026-11-26T04:53:25.000000001Z', stream: 'stderr', text: 'tail' },
    ]);
  });

  it('keeps a multi-byte character cut between chunks whole, and ANSI codes untouched', () => {
    const bytes = Buffer.from('2026-11-26T04:53:24.000000000Z \u001b[31mrot\u001b[0m ü€\n');
    const cut = bytes.indexOf(Buffer.from('€')) + 1;
    expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])[0]?.text).toBe('\u001b[31mrot\u001b[0m ü€');
  });

  it('passes lines without a timestamp through with an empty ts', () => {
    expect(split([Buffer.from('no stamp here\n')])).toEqual([{ ts: '', stream: 'stderr', text: 'no stamp here' }]);
  });
});

describe('timestamps', () => {
  it('orders timestamps of different precision', () => {
    expect(timestampKey('2026-11-26T04:53:24.2Z') < timestampKey('2026-11-26T04:53:24.123456789Z')).toBe(false);
    expect(timestampKey('2026-11-26T04:53:24Z')).toBe('2026-11-26T04:53:24.000000000Z');
  });

  it('converts to Docker seconds.nanoseconds without losing precision', () => {
    expect(toDockerTime('1970-01-01T00:00:10.000000042Z')).toBe('10.000000042');
    expect(toDockerTime('2026-11-26T04:53:24.5Z')).toBe(`${Date.UTC(2026, 10, 26, 4, 53, 24) / 1000}.500000000`);
  });

  it('converts Docker seconds.nanoseconds back to the same instant', () => {
    expect(fromDockerTime(toDockerTime('2026-11-26T04:53:24.000000042Z'))).toBe('2026-11-26T04:53:24.000000042Z');
    expect(fromDockerTime('0')).toBe('1970-01-01T00:00:00.000000000Z');
    expect(fromDockerTime('10.5')).toBe('1970-01-01T00:00:10.500000000Z');
  });
});
