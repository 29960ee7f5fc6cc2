import { describe, expect, it } from 'vitest';
import { keepOriginalLines, lineKey } from './yaml-keep-format';

describe('lineKey', () => {
  it('ignores spacing yaml re-prints, not indentation, quoted text or comments', () => {
    expect(lineKey('    ports: !override ["a:1", "b:2"]  # x')).toBe(lineKey('    ports: !override [ "a:1", "b:2" ] # x'));
    expect(lineKey('  a: b')).not.toBe(lineKey('    a: b'));
    expect(lineKey('a: "x  y"')).not.toBe(lineKey('a: "x y"'));
    expect(lineKey('a: b # two  spaces')).not.toBe(lineKey('a: b # two spaces'));
    expect(lineKey('a: b c')).not.toBe(lineKey('a: bc'));
  });
});

describe('keepOriginalLines', () => {
  it('takes the operator’s line when it says the same', () => {
    expect(keepOriginalLines('a: [1,2]   # c\n', 'a: [ 1, 2 ] # c\nb: 3\n')).toBe('a: [1,2]   # c\nb: 3\n');
  });

  it('falls back to the printed text when a kept line would read differently', () => {
    // Same key, but in the original it sat in a block that the printed text no longer has.
    const printed = 'x: |\n  a: [ 1 ]\n';
    expect(keepOriginalLines('a: [1]\n', printed)).toBe(printed);
  });
});
