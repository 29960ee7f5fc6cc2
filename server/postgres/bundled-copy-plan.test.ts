import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  compareInventories,
  copyRefusal,
  DumpRewriter,
  dumpArgv,
  inventoryArgv,
  parseInventory,
  restoreArgv,
  restoreEnv,
  restoreErrorLine,
  tallyTag,
  type Inventory,
  type RestoreTally,
} from './bundled-copy-plan';

const target = { host: 'pg.example.net', port: 5433, role: 'tale', password: 's3cret pass/word', sslMode: 'require' as const };

async function rewrite(chunks: string[]): Promise<string> {
  const out: Buffer[] = [];
  const r = new DumpRewriter();
  r.on('data', (c: Buffer) => out.push(c));
  await new Promise<void>((resolve, reject) => Readable.from(chunks.map((c) => Buffer.from(c))).pipe(r).on('end', resolve).on('error', reject));
  return Buffer.concat(out).toString('utf8');
}

describe('argv builders', () => {
  it('dumps plain SQL without owners, grants or comments, names validated', () => {
    expect(dumpArgv('tale_knowledge', 'tale')).toEqual([
      'pg_dump', '--format=plain', '--no-owner', '--no-privileges', '--no-comments', '--encoding=UTF8', '--username=tale', '--dbname=tale_knowledge',
    ]);
    expect(() => dumpArgv('tale_platform', 'tale; rm -rf /')).toThrow(/identifier/);
    expect(() => inventoryArgv('tale_platform', '--host=evil')).toThrow(/identifier/);
  });

  it('restores from stdin, stopping at the first error, with no credentials in argv', () => {
    const argv = restoreArgv();
    expect(argv).toEqual(['psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--file=-']);
    expect(argv.join(' ')).not.toContain(target.password);
    expect(argv.join(' ')).not.toContain(target.host);
  });

  it('carries the target in PG* variables', () => {
    expect(restoreEnv(target, 'tale_platform')).toEqual({
      PGHOST: 'pg.example.net',
      PGPORT: '5433',
      PGUSER: 'tale',
      PGPASSWORD: 's3cret pass/word',
      PGDATABASE: 'tale_platform',
      PGSSLMODE: 'require',
      PGCONNECT_TIMEOUT: '10',
      PGAPPNAME: 'tale-console-copy',
    });
    expect(restoreEnv({ ...target, sslMode: 'verify-full' }, 'tale_knowledge')).toMatchObject({ PGSSLMODE: 'verify-full', PGSSLROOTCERT: 'system' });
    expect(() => restoreEnv({ ...target, sslMode: 'verify-full', caCert: '-----BEGIN CERTIFICATE-----' }, 'tale_knowledge')).toThrow(/private CA/);
    expect(() => restoreEnv({ ...target, role: 'Tale"' }, 'tale_knowledge')).toThrow(/identifier/);
  });
});

describe('refusal', () => {
  const source: Inventory = { tables: [{ schema: 'public', table: 'documents', rows: 3 }], extensions: ['uuid-ossp', 'vector'] };
  const empty: Inventory = { tables: [], extensions: ['uuid-ossp', 'vector'] };

  it('lets an empty target with the extensions through', () => {
    expect(copyRefusal('tale_platform', source, empty)).toBeNull();
  });

  it('refuses a target that holds rows, naming the tables', () => {
    const held: Inventory = { ...empty, tables: [{ schema: 'public', table: 'documents', rows: 3 }, { schema: 'public', table: 'leases', rows: 0 }] };
    expect(copyRefusal('tale_platform', source, held)).toMatchObject({ code: 'COPY_TARGET_HOLDS_DATA', message: expect.stringContaining('public.documents') });
  });

  it('refuses empty tables too, since the dump recreates them', () => {
    const tables = Array.from({ length: 7 }, (_, i) => ({ schema: 'public_web', table: `t${i}`, rows: 0 }));
    const r = copyRefusal('tale_knowledge', source, { ...empty, tables });
    expect(r).toMatchObject({ code: 'COPY_TARGET_HAS_TABLES' });
    expect(r?.message).toContain('and 2 more');
  });

  it('refuses when the target lacks an extension the data uses', () => {
    const r = copyRefusal('tale_knowledge', { ...source, extensions: ['pg_search', 'vector'] }, empty);
    expect(r).toMatchObject({ code: 'COPY_EXTENSION_MISSING', message: expect.stringContaining('pg_search') });
  });
});

describe('comparison and parsing', () => {
  it('pairs tables by schema and name and flags what differs or is missing', () => {
    const src: Inventory = { tables: [{ schema: 'a', table: 'x', rows: 2 }, { schema: 'a', table: 'y', rows: 1 }], extensions: [] };
    const dst: Inventory = { tables: [{ schema: 'a', table: 'x', rows: 2 }, { schema: 'b', table: 'z', rows: 0 }], extensions: [] };
    expect(compareInventories('tale_platform', src, dst)).toEqual([
      { database: 'tale_platform', schema: 'a', table: 'x', sourceRows: 2, targetRows: 2, match: true },
      { database: 'tale_platform', schema: 'a', table: 'y', sourceRows: 1, targetRows: null, match: false },
      { database: 'tale_platform', schema: 'b', table: 'z', sourceRows: null, targetRows: 0, match: false },
    ]);
  });

  it('reads the inventory JSON and refuses anything else', () => {
    expect(parseInventory('{"tables":[{"schema":"s","table":"t","rows":"12"}],"extensions":["vector"]}\n')).toEqual({
      tables: [{ schema: 's', table: 't', rows: 12 }],
      extensions: ['vector'],
    });
    expect(() => parseInventory('psql: error')).toThrow(/inventory/);
    expect(() => parseInventory('{"tables":1}')).toThrow(/inventory/);
  });
});

describe('DumpRewriter', () => {
  it('makes CREATE SCHEMA idempotent and passes everything else byte for byte', async () => {
    const dump = 'SET x = 1;\nCREATE SCHEMA public_web;\nCREATE SCHEMA "Odd ""name""";\nCREATE TABLE public_web.t (a text);\n';
    expect(await rewrite([dump])).toBe(
      'SET x = 1;\nCREATE SCHEMA IF NOT EXISTS public_web;\nCREATE SCHEMA IF NOT EXISTS "Odd ""name""";\nCREATE TABLE public_web.t (a text);\n',
    );
  });

  it('never rewrites COPY data, even when a row looks like a statement, across chunk boundaries', async () => {
    const dump = 'COPY public.t (a) FROM stdin;\nCREATE SCHEMA evil;\n\\.\nCREATE SCHEMA after;\n';
    const chunks = [dump.slice(0, 7), dump.slice(7, 40), dump.slice(40, 41), dump.slice(41)];
    expect(await rewrite(chunks)).toBe('COPY public.t (a) FROM stdin;\nCREATE SCHEMA evil;\n\\.\nCREATE SCHEMA IF NOT EXISTS after;\n');
  });

  it('counts the bytes it passed and keeps a last line without newline', async () => {
    const r = new DumpRewriter();
    const out: Buffer[] = [];
    r.on('data', (c: Buffer) => out.push(c));
    r.end(Buffer.from('héllo\nCREATE SCHEMA s;'));
    await new Promise((resolve) => r.on('end', resolve));
    expect(r.bytes).toBe(Buffer.byteLength('héllo\nCREATE SCHEMA s;'));
    expect(Buffer.concat(out).toString()).toBe('héllo\nCREATE SCHEMA IF NOT EXISTS s;\n');
  });
});

describe('progress and errors', () => {
  it('counts created objects and copied rows from psql command tags', () => {
    const t: RestoreTally = { objects: 0, rows: 0 };
    for (const line of ['BEGIN', 'SET', ' set_config ', '------------', '(1 row)', 'CREATE TABLE', 'ALTER TABLE', 'COPY 2500', 'COPY 0', 'CREATE INDEX', '']) tallyTag(t, line);
    expect(t).toEqual({ objects: 5, rows: 2500 });
  });

  it('shows the first error line without psql’s file and line prefix', () => {
    expect(restoreErrorLine('NOTICE: x\npsql:<stdin>:42: ERROR:  permission denied for schema public_web\nLINE 1: …')).toBe('ERROR:  permission denied for schema public_web');
    expect(restoreErrorLine('pg_dump: error: connection to server failed')).toBe('error: connection to server failed');
    expect(restoreErrorLine('')).toBeNull();
  });
});
