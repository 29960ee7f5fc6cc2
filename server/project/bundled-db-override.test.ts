import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyOverrideEdit, planBundledDb, renderBundledDb } from './bundled-db-override';
import { parseComposeOverride } from './compose-override';
import { localDir } from '@/server/project/file-ops';

const FILE = '/srv/tale/compose.override.yml';

describe('renderBundledDb', () => {
  it('creates the override from nothing', () => {
    const out = renderBundledDb(null, FILE, true)!;
    expect(out).toBe('services:\n  db:\n    profiles: [ disabled ]\n');
    expect(parseComposeOverride(out, FILE)).toEqual({ db: { disabled: true } });
  });

  it('keeps comments, other services and the proxy ports !override tag', () => {
    const text = [
      '# local tweaks',
      'services:',
      '  proxy:',
      "    ports: !override ['127.0.0.1:8080:80']",
      '  db:',
      '    environment:',
      '      DB_MAX_CONNECTIONS: "200" # more clients',
      '',
    ].join('\n');
    const out = renderBundledDb(text, FILE, true)!;
    expect(out).toContain('# local tweaks');
    // The hand-written line byte for byte (yaml alone re-prints it as `[ '…' ]`: a diff showed it removed).
    expect(out).toContain("    ports: !override ['127.0.0.1:8080:80']\n");
    expect(out).toContain('# more clients');
    expect(parseComposeOverride(out, FILE)).toMatchObject({ db: { disabled: true, environment: { DB_MAX_CONNECTIONS: '200' } }, proxy: { ports: [expect.anything()] } });
    // Going back restores the same content.
    const back = renderBundledDb(out, FILE, false)!;
    expect(parseComposeOverride(back, FILE)).toMatchObject({ db: { environment: { DB_MAX_CONNECTIONS: '200' } } });
    expect(back).not.toContain('profiles');
  });

  it('is a no-op when already in the wanted state', () => {
    const on = renderBundledDb(null, FILE, true)!;
    expect(renderBundledDb(on, FILE, true)).toBe(on);
    expect(renderBundledDb('services:\n  rag:\n    environment:\n      A: "1"\n', FILE, false)).toBe('services:\n  rag:\n    environment:\n      A: "1"\n');
  });

  it('returns null (remove the file) when enabling leaves nothing', () => {
    expect(renderBundledDb(renderBundledDb(null, FILE, true), FILE, false)).toBeNull();
  });

  it('refuses to edit an override the console would refuse', () => {
    expect(() => renderBundledDb('services:\n  db:\n    ports: ["5432:5432"]\n', FILE, true)).toThrow(expect.objectContaining({ code: 'OVERRIDE_UNSUPPORTED' }));
  });
});

describe('planBundledDb / applyOverrideEdit', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bundled-db-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes, backs up, and removes the file it emptied', async () => {
    const file = path.join(dir, 'compose.override.yml');
    await applyOverrideEdit(localDir(dir), await planBundledDb(localDir(dir), true));
    expect(parseComposeOverride(await fs.readFile(file, 'utf8'), file)).toEqual({ db: { disabled: true } });
    const backup = await applyOverrideEdit(localDir(dir), await planBundledDb(localDir(dir), false));
    await expect(fs.access(file)).rejects.toThrow();
    expect(await fs.readFile(backup!, 'utf8')).toContain('disabled');
  });

  it('edits compose.override.yaml when only that exists', async () => {
    const file = path.join(dir, 'compose.override.yaml');
    await fs.writeFile(file, 'services:\n  rag:\n    environment:\n      A: "1"\n');
    const edit = await planBundledDb(localDir(dir), true);
    expect(edit.file).toBe(file);
    await applyOverrideEdit(localDir(dir), edit);
    expect(parseComposeOverride(await fs.readFile(file, 'utf8'), file)).toEqual({ db: { disabled: true }, rag: { environment: { A: '1' } } });
  });

  it('refuses when the file changed since the plan', async () => {
    const edit = await planBundledDb(localDir(dir), true);
    await fs.writeFile(path.join(dir, 'compose.override.yml'), 'services: {}\n');
    await expect(applyOverrideEdit(localDir(dir), edit)).rejects.toThrow(/changed meanwhile/);
  });
});
