import { describe, expect, it } from 'vitest';
import { assertIdentifier, ident, literal } from './identifiers';

describe('identifiers', () => {
  it('accepts lower-case identifiers and quotes them', () => {
    expect(ident('tale')).toBe('"tale"');
    expect(ident('tale_knowledge')).toBe('"tale_knowledge"');
    expect(ident('_x9')).toBe('"_x9"');
    expect(assertIdentifier('a'.repeat(63))).toHaveLength(63);
  });

  it.each(['', 'Tale', '9tale', 'ta le', 'tale"; DROP ROLE x; --', 'tale-x', 'a'.repeat(64), 'tälé', 'tale\n'])('refuses %j', (name) => {
    expect(() => ident(name)).toThrow(expect.objectContaining({ code: 'PG_IDENTIFIER_INVALID' }));
  });

  it('literal doubles single quotes', () => {
    expect(literal("it's")).toBe("'it''s'");
    expect(() => literal('a\u0000b')).toThrow();
  });
});
