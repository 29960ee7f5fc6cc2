import { describe, expect, it } from 'vitest';
import { generatePassword, scramVerifier } from './scram';

describe('scramVerifier', () => {
  it('has the shape PostgreSQL stores and is deterministic for a salt', () => {
    // That the server accepts it for a login is proved by e2e/integration/external-database.integration.test.ts.
    const salt = Buffer.from('c2FsdHNhbHRzYWx0c2FsdA==', 'base64');
    const v = scramVerifier('pencil', salt);
    expect(v).toMatch(/^SCRAM-SHA-256\$4096:c2FsdHNhbHRzYWx0c2FsdA==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(scramVerifier('pencil', salt)).toBe(v);
    expect(scramVerifier('pencil2', salt)).not.toBe(v);
  });

  it('salts randomly', () => {
    expect(scramVerifier('x')).not.toBe(scramVerifier('x'));
  });

  it('generates URL-safe passwords', () => {
    const p = generatePassword();
    expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generatePassword()).not.toBe(p);
  });
});
