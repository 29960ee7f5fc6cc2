import { describe, expect, it } from 'vitest';
import { lineDiff } from './line-diff';

describe('lineDiff', () => {
  it('marks added and removed lines and keeps the common ones', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nx\nc\n')).toEqual(['  a', '+ x', '- b', '  c']);
  });
  it('handles empty sides', () => {
    expect(lineDiff('', 'a\n')).toEqual(['+ a']);
    expect(lineDiff('a\n', '')).toEqual(['- a']);
    expect(lineDiff('', '')).toEqual([]);
  });
});
