import { describe, expect, it } from 'vitest';
import { extensionChecks, majorVersion, privilegeChecks, versionCheck } from './checks';

describe('version check', () => {
  it.each([
    [170005, '17.5 (Debian 17.5-1.pgdg120+1)', 17],
    [160002, '16.2', 16],
    [0, '15.4 (Debian 15.4-2.pgdg120+1)', 15],
    [0, '9.6.24', null],
    [0, 'garbage', null],
  ])('majorVersion(%j, %j) = %j', (num, text, want) => {
    expect(majorVersion(num, text)).toBe(want);
  });

  it('refuses PostgreSQL 15 and names the version found', () => {
    const c = versionCheck(150004, '15.4 (Debian 15.4-2.pgdg120+1)');
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('15.4 (Debian 15.4-2.pgdg120+1)');
    expect(c.detail).toContain('16 or newer');
    expect(c.fix).toMatch(/Upgrade/);
  });

  it('accepts 16 and 17', () => {
    expect(versionCheck(160000, '16.0').status).toBe('pass');
    expect(versionCheck(170005, '17.5').status).toBe('pass');
  });
});

describe('extension checks', () => {
  const all = ['vector', 'uuid-ossp', 'pg_trgm', 'pgcrypto', 'pg_search'].map((name) => ({ name, trusted: true }));

  it('passes with everything', () => {
    expect(extensionChecks(all).map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('fails without vector, with a fix', () => {
    const [vector] = extensionChecks(all.filter((e) => e.name !== 'vector'));
    expect(vector).toMatchObject({ id: 'vector', status: 'fail', required: true });
    expect(vector!.fix).toMatch(/pgvector/);
  });

  it('only warns without pg_search, and says BM25 is off', () => {
    const search = extensionChecks(all.filter((e) => e.name !== 'pg_search'))[2]!;
    expect(search).toMatchObject({ status: 'warn', required: false });
    expect(search.detail).toMatch(/BM25 search stays off/);
  });
});

describe('privilege checks', () => {
  const ext = [{ name: 'vector', trusted: false }, { name: 'pgcrypto', trusted: true }];
  it('superuser passes everything', () => {
    expect(privilegeChecks({ rolsuper: true, rolcreatedb: false, rolcreaterole: false }, ext).every((c) => c.status === 'pass')).toBe(true);
  });
  it('names CREATEDB, CREATEROLE and untrusted extensions', () => {
    const c = privilegeChecks({ rolsuper: false, rolcreatedb: false, rolcreaterole: false }, ext);
    expect(c.map((x) => x.status)).toEqual(['fail', 'fail', 'fail']);
    expect(c[0]!.fix).toMatch(/CREATEDB/);
    expect(c[1]!.fix).toMatch(/CREATEROLE/);
    expect(c[2]!.fix).toMatch(/vector/);
  });
});
