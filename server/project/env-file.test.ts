import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readEnvFile, updateEnvFile } from './env-file';
import { ProjectError } from './project-error';
import { localDir } from '@/server/project/file-ops';

const SECRET = 'S3cr3tValueThatMustNeverLeak_0123456789';

const ORIGINAL = [
  '# Tale env\r',
  'HOST=tale.example.com\r',
  "SITE_URL='https://tale.example.com'\r",
  'TLS_MODE=selfsigned\r',
  '\r',
  `export BETTER_AUTH_SECRET="${SECRET}"\r`,
  'ENCRYPTION_SECRET_HEX=' + 'a'.repeat(64) + '\r',
  'INSTANCE_SECRET=' + 'b'.repeat(64) + '\r',
  'DB_PASSWORD=abcdefghijklmnop\r',
  'CUSTOM=keep me   # note\r',
  'CUSTOM=dup\r',
  '',
].join('\n');

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'env-file-'));
  await fs.writeFile(path.join(dir, '.env'), ORIGINAL, { mode: 0o600 });
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const envText = () => fs.readFile(path.join(dir, '.env'), 'utf8');

async function refusal(edits: Record<string, string | null>): Promise<ProjectError> {
  const err = await updateEnvFile(localDir(dir), edits).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProjectError);
  return err as ProjectError;
}

describe('updateEnvFile', () => {
  it('rewrites only the touched line, keeps CRLF and mode, and backs up the old file', async () => {
    const fixed = new Date('2026-01-02T03:04:05.678Z');
    const { backupPath } = await updateEnvFile(localDir(dir), { HOST: 'new.example.com', SITE_URL: 'https://new.example.com' }, { now: () => fixed });
    const expected = ORIGINAL.replace('HOST=tale.example.com', 'HOST=new.example.com').replace(
      "SITE_URL='https://tale.example.com'",
      "SITE_URL='https://new.example.com'",
    );
    expect(await envText()).toBe(expected);
    expect((await fs.stat(path.join(dir, '.env'))).mode & 0o777).toBe(0o600);
    expect(backupPath).toBe(path.join(dir, '.tale', 'backups', '.env.2026-01-02T03-04-05-678Z'));
    expect(await fs.readFile(backupPath as string, 'utf8')).toBe(ORIGINAL);
    expect((await fs.stat(backupPath as string)).mode & 0o777).toBe(0o600);
    // No temp files left behind.
    expect((await fs.readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('normalises values before writing (BASE_PATH, trailing slash of SITE_URL)', async () => {
    await updateEnvFile(localDir(dir), { BASE_PATH: 'tale/', SITE_URL: 'https://tale.example.com/' });
    const { values } = await readEnvFile(localDir(dir));
    expect(values.BASE_PATH).toBe('/tale');
    expect(values.SITE_URL).toBe('https://tale.example.com');
  });

  it('appends new keys at the end and removes deleted ones', async () => {
    await updateEnvFile(localDir(dir), { DRAIN_TIMEOUT: '45', CUSTOM: null });
    const text = await envText();
    expect(text).toBe(ORIGINAL.replace('CUSTOM=keep me   # note\r\n', '').replace('CUSTOM=dup\r\n', '') + 'DRAIN_TIMEOUT=45\r\n');
  });

  it('refuses to remove a required key', async () => {
    const err = await refusal({ DB_PASSWORD: null });
    expect(err.fieldErrors?.DB_PASSWORD).toMatch(/required/i);
    expect(await envText()).toBe(ORIGINAL);
  });

  // Each entry tries to break the file or smuggle another key in; all must be refused per field.
  const INJECTIONS: Array<[string, Record<string, string>, RegExp]> = [
    ['newline smuggles a key', { CUSTOM: 'x\nDB_PASSWORD=owned' }, /single line/],
    ['carriage return', { CUSTOM: 'x\rTLS_MODE=external' }, /single line/],
    ['CRLF', { CUSTOM: 'x\r\nHOST=evil' }, /single line/],
    ['NUL byte', { CUSTOM: 'x\u0000y' }, /control/],
    ['unbalanced double quote', { CUSTOM: 'abc"' }, /unbalanced/i],
    ['unbalanced single quote', { CUSTOM: "'abc" }, /unbalanced/i],
    ['escape closes the quote', { CUSTOM: 'a\\"b' }, /unbalanced/i],
    ['key with newline', { 'A\nB': 'x' }, /Key must/],
    ['key with equals', { 'A=B': 'x' }, /Key must/],
    ['key with space', { 'export X': 'x' }, /Key must/],
    ['mixed quotes and dollar', { CUSTOM: `'a' "$HOME"` }, /cannot be written so that docker compose/i],
    ['HOST with scheme', { HOST: 'https://evil.example' }, /bare hostname/],
    ['HOST with port', { HOST: 'evil.example:8443' }, /bare hostname/],
    ['SITE_URL over http', { SITE_URL: 'http://tale.example.com' }, /https/],
    ['SITE_URL with odd port', { SITE_URL: 'https://tale.example.com:8443' }, /port/],
    ['SITE_URL with path', { SITE_URL: 'https://tale.example.com/x' }, /path/],
    ['TLS_MODE unknown', { TLS_MODE: 'none' }, /one of/],
    ['TLS_EMAIL not an email', { TLS_EMAIL: 'nobody' }, /email/],
    ['INSTANCE_SECRET short', { INSTANCE_SECRET: 'abc' }, /64 hex/],
    ['INSTANCE_SECRET not hex', { INSTANCE_SECRET: 'z'.repeat(64) }, /64 hex/],
    ['timeout zero', { HEALTH_CHECK_TIMEOUT: '0' }, /positive/],
    ['timeout negative', { DRAIN_TIMEOUT: '-5' }, /positive/],
    ['timeout fraction', { DRAIN_TIMEOUT: '2.5' }, /positive/],
    ['BASE_PATH traversal', { BASE_PATH: '/a/../b' }, /path like/],
    ['DB_PASSWORD breaks URL', { DB_PASSWORD: 'pass@word:12345' }, /connection URLs/],
    ['POSTGRES_URL with query', { POSTGRES_URL: 'postgresql://tale:x@pg:5432?application_name=x' }, /query/],
    ['SOPS_AGE_KEY garbage', { SOPS_AGE_KEY: 'AGE-SECRET-KEY-1abc' }, /age X25519/],
    ['required emptied', { HOST: '' }, /required/i],
  ];

  it.each(INJECTIONS)('refuses %s and leaves the file byte-identical', async (_name, edits, message) => {
    const err = await refusal(edits);
    expect(err.code).toBe('ENV_INVALID');
    const [key] = Object.keys(edits);
    expect(err.fieldErrors?.[key as string]).toMatch(message);
    expect(await envText()).toBe(ORIGINAL);
    await expect(fs.readdir(path.join(dir, '.tale'))).rejects.toThrow();
  });

  it('reports every refused field at once and writes none of the valid ones', async () => {
    const err = await refusal({ HOST: 'ok.example', TLS_MODE: 'bogus', DRAIN_TIMEOUT: 'x' });
    expect(Object.keys(err.fieldErrors ?? {}).sort()).toEqual(['DRAIN_TIMEOUT', 'TLS_MODE']);
    expect(await envText()).toBe(ORIGINAL);
  });

  it('re-checks SITE_URL when TLS_MODE changes', async () => {
    await updateEnvFile(localDir(dir), { TLS_MODE: 'external', SITE_URL: 'http://tale.example.com:8080' });
    const err = await refusal({ TLS_MODE: 'letsencrypt' });
    expect(err.fieldErrors?.TLS_MODE).toMatch(/SITE_URL: .*https/);
  });

  it('never puts a refused value in its messages', async () => {
    const err = await refusal({ BETTER_AUTH_SECRET: `${SECRET}\nX=1`, DB_PASSWORD: `${SECRET}@` });
    const all = [err.message, ...Object.values(err.fieldErrors ?? {})].join(' ');
    expect(all).not.toContain(SECRET);
  });

  it('writes the issue\'s two-value injection so that compose still reads the real DB_PASSWORD', async () => {
    await updateEnvFile(localDir(dir), { CUSTOM_A: 'foo\\', CUSTOM_B: "' DB_PASSWORD=owned #'" });
    expect(await envText()).toBe(`${ORIGINAL}CUSTOM_A=foo\\\r\nCUSTOM_B="' DB_PASSWORD=owned #'"\r\n`);
    const { values } = await readEnvFile(localDir(dir));
    expect(values).toMatchObject({ CUSTOM_A: 'foo\\', CUSTOM_B: "' DB_PASSWORD=owned #'", DB_PASSWORD: 'abcdefghijklmnop' });
  });

  it('refuses with the reason a value no quoting can carry for every reader', async () => {
    const err = await refusal({ CUSTOM: `it's ${SECRET} $5'` });
    expect(err.fieldErrors?.CUSTOM).toMatch(/single quotes fail because it contains '.*double quotes because it contains \$.*no quotes because of spaces, \$/);
    expect(JSON.stringify(err)).not.toContain(SECRET);
    expect(await envText()).toBe(ORIGINAL);
  });

  it('shows a file written by the old writer as compose reads it, and refuses to edit the keys it tangles', async () => {
    const poisoned = `${ORIGINAL}A='foo\\'\r\nB="' DB_PASSWORD=owned #'"\r\n`;
    await fs.writeFile(path.join(dir, '.env'), poisoned);
    const { values } = await readEnvFile(localDir(dir));
    expect(values.DB_PASSWORD).toBe('owned');
    expect(values.A).toBe(`foo'\r\nB="`);
    expect((await refusal({ DB_PASSWORD: 'x'.repeat(22) })).fieldErrors?.DB_PASSWORD).toMatch(/fix the file by hand/);
    expect(await envText()).toBe(poisoned);
    await updateEnvFile(localDir(dir), { HOST: 'b.example.com' });
    expect(await envText()).toBe(poisoned.replace('HOST=tale.example.com', 'HOST=b.example.com'));
  });

  it('refuses to read a file docker compose refuses, without echoing its values', async () => {
    await fs.writeFile(path.join(dir, '.env'), `${ORIGINAL}BROKEN='${SECRET}\n`);
    const err = await readEnvFile(localDir(dir)).then(
      () => null,
      (e: unknown) => e as ProjectError,
    );
    expect(err?.code).toBe('ENV_INVALID');
    expect(err?.message).toMatch(/docker compose cannot read .*unterminated quoted value/);
    expect(err?.message).not.toContain(SECRET);
  });

  it('does nothing when the values are unchanged', async () => {
    const { backupPath } = await updateEnvFile(localDir(dir), { HOST: 'tale.example.com' });
    expect(backupPath).toBeNull();
    expect(await envText()).toBe(ORIGINAL);
  });
});

describe('keys named after Object.prototype members in a hand-written .env', () => {
  it('reads them as ordinary keys and saves other keys around them untouched', async () => {
    const handWritten = `${ORIGINAL}constructor=kept\r\n__proto__=also-kept\r\n`;
    await fs.writeFile(path.join(dir, '.env'), handWritten, { mode: 0o600 });
    const before = await readEnvFile(localDir(dir));
    expect(Object.hasOwn(before.values, 'constructor') && before.values.constructor).toBe('kept');
    expect(Object.hasOwn(before.values, '__proto__')).toBe(true);
    // A key the file does not have is absent, not Object.prototype's member.
    expect(before.values.toString).toBeUndefined();

    await updateEnvFile(localDir(dir), { HOST: 'other.example.com' });
    expect(await envText()).toBe(handWritten.replace('HOST=tale.example.com', 'HOST=other.example.com'));
  });
});
