import { describe, expect, it } from 'vitest';
import { diffProjectFiles } from './backup-project-files';

// The diff a backup's project files are shown with before they are restored: per file, .env key
// by key and the others line by line, and never a secret value of either side.

const b = (s: string) => Buffer.from(s);

describe('the project files diff', () => {
  it('says per file whether it differs, and masks the secrets of .env and compose.override.yml', () => {
    const now = {
      'tale.json': b('{"id":"acme"}\n'),
      '.env': b('HOST=new.example.com\nDB_PASSWORD=current-secret-value\nKEPT=1\n'),
      'compose.override.yml': b('services:\n  platform:\n    environment:\n      API_TOKEN: current-token-value\n'),
      '.tale/deployment-color': b('green\n'),
    };
    const backup = {
      'tale.json': b('{"id":"acme"}\n'),
      '.env': b('HOST=old.example.com\nDB_PASSWORD=backup-secret-value\nKEPT=1\n'),
      'compose.override.yml': b('services:\n  platform:\n    image: pinned:1\n    environment:\n      API_TOKEN: backup-token-value\n'),
      '.tale/console-releases.json': b('[]\n'),
    };
    const diff = diffProjectFiles(now, backup);
    expect(diff.map((f) => [f.path, f.status])).toEqual([
      ['tale.json', 'same'],
      ['.env', 'changed'],
      ['compose.override.yml', 'changed'],
      ['.tale/deployment-color', 'only-now'],
      ['.tale/console-releases.json', 'only-in-backup'],
    ]);
    const env = diff.find((f) => f.path === '.env')!.env!;
    expect(env.find((e) => e.key === 'HOST')).toMatchObject({ kind: 'changed', before: 'new.example.com', after: 'old.example.com' });
    expect(env.find((e) => e.key === 'DB_PASSWORD')).toMatchObject({ kind: 'changed', secret: true });
    expect(env.some((e) => e.key === 'KEPT')).toBe(false);
    const text = JSON.stringify(diff);
    for (const secret of ['current-secret-value', 'backup-secret-value', 'current-token-value', 'backup-token-value']) expect(text).not.toContain(secret);
    expect(diff.find((f) => f.path === 'compose.override.yml')!.lines!.filter((l) => l.kind !== 'same')).toEqual([{ kind: 'added', text: '    image: pinned:1' }]);
  });
});
