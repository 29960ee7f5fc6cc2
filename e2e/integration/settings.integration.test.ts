import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvPreviewDto, EnvSavedDto, PinPreviewDto } from '@/lib/dto/settings';
import { REDACTED, diffEnvValues } from '@/lib/settings/env-diff';
import { envValues, parseEnvDocument } from '@/server/project/env-document';
import { createDeployment, type Deployment } from '../fixtures/deployment';
import { createSignedInUser } from '../support/accounts';
import { startConsole, type RunningConsole } from '../support/console';
import { actionId, asReply, callAction, requireActionResult, type ActionAnswer } from '../support/server-actions';

// The settings forms' server actions, called directly against a running console: a bad-input
// corpus is refused with field messages and leaves both files byte-identical; the previewed diff is
// the change written; restoring a version gives back its exact bytes; only admins write or apply.

const OVERRIDE = [
  '# Test bed: never publish 80/443 on this machine',
  'services:',
  '  proxy:',
  "    ports: !override ['127.0.0.1:18080:80', '127.0.0.1:18443:443']",
  '',
].join('\n');

let app: RunningConsole;
let dep: Deployment;
let operatorCookie: string;
const files = () => ({ env: path.join(dep.dir, '.env'), override: path.join(dep.dir, 'compose.override.yml') });
const bytes = () => ({ env: fs.readFileSync(files().env), override: fs.readFileSync(files().override) });
const backups = () => (fs.existsSync(path.join(dep.dir, '.tale', 'backups')) ? fs.readdirSync(path.join(dep.dir, '.tale', 'backups')).sort() : []);
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A settings action as the browser sends it; its result, which every answer here must carry. */
async function act<T>(name: string, input?: unknown, cookie = app.cookie): Promise<ActionAnswer<T>> {
  return requireActionResult<T>(await callAction(app.baseURL, actionId(`app/(console)/settings/actions.ts#${name}`), input === undefined ? ['local'] : ['local', asReply(input)], cookie));
}

beforeAll(async () => {
  dep = await createDeployment({ prefix: 'tc-settings', tlsMode: 'selfsigned', extraEnv: { CUSTOM_FLAG: 'on' } });
  fs.writeFileSync(files().override, OVERRIDE);
  app = await startConsole({ deployDir: dep.dir });
  operatorCookie = (await createSignedInUser(app.baseURL, app.cookie, { name: 'Olga Operator', email: 'olga@example.com', role: 'operator', password: 'operator-password-1' })).cookie;
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await dep?.dispose();
});

describe('bad input is refused with field messages and changes no byte', () => {
  const envCases: Array<[string, Record<string, string | null>, string]> = [
    ['newline injection of another key', { CUSTOM_FLAG: 'off\nTLS_MODE=external' }, 'CUSTOM_FLAG'],
    ['CRLF injection', { HEALTH_CHECK_TIMEOUT: '60\r\nDRAIN_TIMEOUT=1' }, 'HEALTH_CHECK_TIMEOUT'],
    ['${} expansion', { CUSTOM_FLAG: '${DB_PASSWORD}' }, 'CUSTOM_FLAG'],
    ['quotes that would change the value', { CUSTOM_FLAG: '"on"' }, 'CUSTOM_FLAG'],
    ['an unbalanced quote', { CUSTOM_FLAG: "it's" }, 'CUSTOM_FLAG'],
    ['NUL', { CUSTOM_FLAG: 'on\u0000off' }, 'CUSTOM_FLAG'],
    ['an oversized value', { CUSTOM_FLAG: 'x'.repeat(5000) }, 'CUSTOM_FLAG'],
    ['http:// SITE_URL with letsencrypt', { TLS_MODE: 'letsencrypt', SITE_URL: 'http://localhost' }, 'SITE_URL'],
    ['a port in SITE_URL outside external mode', { SITE_URL: 'https://localhost:8443' }, 'SITE_URL'],
    ['a key that is not a variable name', { 'BAD KEY': 'x' }, 'BAD KEY'],
    ['removing a required key', { HOST: null }, 'HOST'],
    ['a non-numeric timeout', { DRAIN_TIMEOUT: '30s' }, 'DRAIN_TIMEOUT'],
  ];

  for (const [name, edits, field] of envCases) {
    it(`environment form: ${name}`, async () => {
      const before = bytes();
      const backupsBefore = backups();
      for (const action of ['previewEnvAction', 'saveEnvAction']) {
        const res = await act(action, { edits });
        expect(res.ok, action).toBe(false);
        if (!res.ok) {
          expect(res.code).toBe('INVALID_INPUT');
          expect(Object.keys(res.fieldErrors ?? {})).toContain(field);
          expect(JSON.stringify(res)).not.toContain('DB_PASSWORD}');
        }
      }
      expect(bytes()).toEqual(before);
      expect(backups()).toEqual(backupsBefore);
    });
  }

  const domain = { HOST: 'localhost', SITE_URL: 'https://localhost', TLS_MODE: 'selfsigned', TLS_EMAIL: '', BASE_PATH: '' };
  const domainCases: Array<[string, Record<string, string>, string]> = [
    ['http:// SITE_URL with letsencrypt', { TLS_MODE: 'letsencrypt', SITE_URL: 'http://localhost' }, 'SITE_URL'],
    ['newline in HOST', { HOST: 'localhost\nDB_PASSWORD=x' }, 'HOST'],
    ['a trailing-slash path with spaces in BASE_PATH', { BASE_PATH: '/a b/' }, 'BASE_PATH'],
    ['${} in BASE_PATH', { BASE_PATH: '/${HOST}' }, 'BASE_PATH'],
    ['an unknown TLS mode', { TLS_MODE: 'none' }, 'TLS_MODE'],
    ['a bad email', { TLS_MODE: 'letsencrypt', TLS_EMAIL: 'me@' }, 'TLS_EMAIL'],
  ];
  for (const [name, change, field] of domainCases) {
    it(`domain form: ${name}`, async () => {
      const before = bytes();
      for (const action of ['previewDomainAction', 'saveDomainAction']) {
        const res = await act(action, { ...domain, ...change });
        expect(res.ok, action).toBe(false);
        if (!res.ok) expect(Object.keys(res.fieldErrors ?? {})).toContain(field);
      }
      expect(bytes()).toEqual(before);
    });
  }

  const pinCases: Array<[string, unknown]> = [
    ['YAML structure inside a pin', { service: 'platform', image: "x:1\n    ports: ['0.0.0.0:80:80']" }],
    ['a flow map as image', { service: 'platform', image: '{image: x}' }],
    ['a comment in the image', { service: 'platform', image: 'x:1 # c' }],
    ['an unknown service', { service: 'docs', image: 'x:1' }],
    ['an oversized image', { service: 'rag', image: `a/${'b'.repeat(600)}:1` }],
  ];
  for (const [name, input] of pinCases) {
    it(`image pins: ${name}`, async () => {
      const before = bytes();
      for (const action of ['previewPinAction', 'savePinAction']) {
        const res = await act(action, input);
        expect(res.ok, action).toBe(false);
        if (!res.ok) expect(Object.keys(res.fieldErrors ?? {}).length).toBeGreaterThan(0);
      }
      expect(bytes()).toEqual(before);
    });
  }

  it('unknown fields and a path-traversing restore id are refused', async () => {
    const before = bytes();
    expect((await act('saveEnvAction', { edits: { CUSTOM_FLAG: 'x' }, sneaky: true })).ok).toBe(false);
    const restore = await act('restoreVersionAction', { id: '../tale.json' });
    expect(restore.ok).toBe(false);
    if (!restore.ok) expect(restore.fieldErrors).toHaveProperty('id');
    expect(bytes()).toEqual(before);
  });
});

describe('saving, roles and history', () => {
  it('the diff shown before saving equals the change written', async () => {
    const before = bytes().env;
    const preview = await act<EnvPreviewDto>('previewEnvAction', { edits: { HEALTH_CHECK_TIMEOUT: '120', CUSTOM_FLAG: 'off', NEW_KEY: 'a b' } });
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.data.baseHash).toBe(sha256(before));
    expect(bytes().env).toEqual(before);

    const saved = await act<EnvSavedDto>('saveEnvAction', { edits: { HEALTH_CHECK_TIMEOUT: '120', CUSTOM_FLAG: 'off', NEW_KEY: 'a b' }, baseHash: preview.data.baseHash });
    expect(saved.ok).toBe(true);
    if (!saved.ok) return;
    const after = bytes().env;
    expect(sha256(after)).toBe(preview.data.afterHash);
    expect(saved.data.diff).toEqual(preview.data.diff);
    // The backup holds the old bytes; diffing old and new files gives exactly the diff shown.
    const backup = fs.readFileSync(path.join(dep.dir, '.tale', 'backups', saved.data.backup!));
    expect(backup).toEqual(before);
    const written = diffEnvValues(envValues(parseEnvDocument(backup.toString('utf8'))), envValues(parseEnvDocument(after.toString('utf8'))));
    expect(written).toEqual(preview.data.diff);
    expect(preview.data.diff.map((d) => d.key)).toEqual(['CUSTOM_FLAG', 'HEALTH_CHECK_TIMEOUT', 'NEW_KEY']);
    // Every other line kept its bytes.
    const untouched = (b: Buffer) => b.toString('utf8').split('\n').filter((l) => !/^(HEALTH_CHECK_TIMEOUT|CUSTOM_FLAG|NEW_KEY)=/.test(l) && l !== '');
    expect(untouched(after)).toEqual(untouched(before));
    expect((fs.statSync(files().env).mode & 0o777)).toBe(0o600);
  });

  it('a save against a file that changed since the preview is refused', async () => {
    const before = bytes().env;
    const res = await act('saveEnvAction', { edits: { CUSTOM_FLAG: 'again' }, baseHash: '0'.repeat(64) });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.code).toBe('CONFLICT');
    expect(bytes().env).toEqual(before);
  });

  it('secrets: operators can neither read nor change them; an admin’s change is redacted in diff and audit', async () => {
    const before = bytes().env;
    const forbidden = await act('saveEnvAction', { edits: { DB_PASSWORD: 'a-new-password-123' } }, operatorCookie);
    expect(forbidden.ok).toBe(false);
    if (!forbidden.ok) expect(forbidden.code).toBe('FORBIDDEN');
    expect(bytes().env).toEqual(before);
    const reveal = await act('revealSecretAction', { key: 'DB_PASSWORD' }, operatorCookie);
    expect(reveal.ok).toBe(false);

    const ok = await act<EnvSavedDto>('saveEnvAction', { edits: { DB_PASSWORD: 'a-new-password-123' } });
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.data.diff).toEqual([{ key: 'DB_PASSWORD', kind: 'changed', before: REDACTED, after: REDACTED, secret: true }]);
    const audit = await fetch(`${app.baseURL}/api/v1/audit?action=settings.env`, { headers: { Cookie: app.cookie } }).then((r) => r.text());
    expect(audit).toContain('HEALTH_CHECK_TIMEOUT');
    expect(audit).not.toContain('a-new-password-123');
    expect(audit).not.toContain(dep.env.DB_PASSWORD);

    const revealed = await act<{ value: string }>('revealSecretAction', { key: 'DB_PASSWORD' });
    expect(revealed.ok && revealed.data.value).toBe('a-new-password-123');
  });

  it('regenerating needs the confirmation and replaces the secret', async () => {
    const refused = await act('regenerateSecretAction', { key: 'ENCRYPTION_SECRET_HEX' });
    expect(refused.ok).toBe(false);
    const before = envValues(parseEnvDocument(bytes().env.toString('utf8'))).ENCRYPTION_SECRET_HEX;
    const done = await act<{ consequence: string }>('regenerateSecretAction', { key: 'ENCRYPTION_SECRET_HEX', confirm: true });
    expect(done.ok && done.data.consequence).toMatch(/can no longer be decrypted/);
    const after = envValues(parseEnvDocument(bytes().env.toString('utf8'))).ENCRYPTION_SECRET_HEX;
    expect(after).toMatch(/^[0-9a-f]{64}$/);
    expect(after).not.toBe(before);
  });

  it('operators are refused every write and Apply now, and neither file nor the history changes', async () => {
    const before = bytes();
    const backupsBefore = backups();
    const registry = { edits: { GHCR_REGISTRY: 'attacker.example/tale' } };
    const pin = { service: 'platform', image: 'attacker.example/tale-platform:1.0.0' };
    const calls: Array<[string, unknown]> = [
      ['previewEnvAction', registry],
      ['saveEnvAction', registry],
      ['saveEnvAction', { edits: { POSTGRES_URL: 'postgresql://tale:x@attacker.example:5432/tale' } }],
      ['previewDomainAction', { HOST: 'attacker.example', SITE_URL: 'https://attacker.example', TLS_MODE: 'external', TLS_EMAIL: '', BASE_PATH: '' }],
      ['saveDomainAction', { HOST: 'attacker.example', SITE_URL: 'https://attacker.example', TLS_MODE: 'external', TLS_EMAIL: '', BASE_PATH: '' }],
      ['previewPinAction', pin],
      ['savePinAction', pin],
      ['restoreVersionAction', { id: backupsBefore[0] ?? '.env.0' }],
      ['applyNowAction', undefined],
    ];
    for (const [name, input] of calls) {
      const res = await act(name, input, operatorCookie);
      expect(res.ok, name).toBe(false);
      if (!res.ok) expect(res.code, name).toBe('FORBIDDEN');
    }
    expect(bytes()).toEqual(before);
    expect(backups()).toEqual(backupsBefore);
  });

  it('an admin changes ordinary settings and pins images; the pin keeps the rest of the file', async () => {
    const domain = await act('saveDomainAction', { HOST: 'localhost', SITE_URL: 'http://localhost', TLS_MODE: 'external', TLS_EMAIL: '', BASE_PATH: 'tale/' });
    expect(domain.ok).toBe(true);
    const values = envValues(parseEnvDocument(bytes().env.toString('utf8')));
    expect([values.TLS_MODE, values.SITE_URL, values.BASE_PATH]).toEqual(['external', 'http://localhost', '/tale']);

    const original = bytes().override;
    const preview = await act<PinPreviewDto>('previewPinAction', { service: 'platform', image: 'registry.local:5000/tale/tale-platform:1.2.0' });
    expect(preview.ok).toBe(true);
    if (!preview.ok) return;
    expect(preview.data.effect).toContain('platform stays at registry.local:5000/tale/tale-platform:1.2.0');
    expect(preview.data.diff.filter((l) => l.kind !== 'same')).toEqual([
      { kind: 'added', text: '  platform:' },
      { kind: 'added', text: '    image: registry.local:5000/tale/tale-platform:1.2.0' },
    ]);
    const pinned = await act<PinPreviewDto>('savePinAction', { service: 'platform', image: 'registry.local:5000/tale/tale-platform:1.2.0', baseHash: preview.data.baseHash });
    expect(pinned.ok).toBe(true);
    const text = bytes().override.toString('utf8');
    expect(sha256(text)).toBe(preview.data.afterHash);
    expect(text.startsWith(original.toString('utf8').trimEnd())).toBe(true);

    const unpinned = await act('savePinAction', { service: 'platform', image: null });
    expect(unpinned.ok).toBe(true);
    expect(bytes().override).toEqual(original);
  });

  it('restoring a version gives back its exact bytes, and the replaced version is kept', async () => {
    const envVersions = backups().filter((n) => n.startsWith('.env.'));
    expect(envVersions.length).toBeGreaterThanOrEqual(3);
    const oldest = envVersions[0]!;
    const oldestBytes = fs.readFileSync(path.join(dep.dir, '.tale', 'backups', oldest));
    const current = bytes().env;

    const byOperator = await act('restoreVersionAction', { id: oldest }, operatorCookie);
    expect(byOperator.ok).toBe(false);
    expect(bytes().env).toEqual(current);

    const restored = await act<{ sha256: string }>('restoreVersionAction', { id: oldest });
    expect(restored.ok).toBe(true);
    expect(bytes().env).toEqual(oldestBytes);
    const newest = backups().filter((n) => n.startsWith('.env.')).pop()!;
    expect(fs.readFileSync(path.join(dep.dir, '.tale', 'backups', newest))).toEqual(current);

    // The first .env version is the fixture's original file.
    expect(oldestBytes.toString('utf8')).toContain(`DB_PASSWORD=${dep.env.DB_PASSWORD}`);

    const overrideVersion = backups().filter((n) => n.startsWith('compose.override.yml.')).pop()!;
    const overrideBytes = fs.readFileSync(path.join(dep.dir, '.tale', 'backups', overrideVersion));
    const overrideNow = bytes().override;
    expect((await act('restoreVersionAction', { id: overrideVersion }, operatorCookie)).ok).toBe(false);
    expect(bytes().override).toEqual(overrideNow);
    expect((await act('restoreVersionAction', { id: overrideVersion })).ok).toBe(true);
    expect(bytes().override).toEqual(overrideBytes);
  });

  it('the settings page renders read-only for an operator and never contains a secret', async () => {
    const res = await fetch(`${app.baseURL}/settings`, { headers: { Cookie: operatorCookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Domain and TLS');
    expect(html).toContain('Only admins can change settings: these values decide which code receives every secret.');
    expect(html).not.toContain('Review changes');
    const values = envValues(parseEnvDocument(bytes().env.toString('utf8')));
    for (const key of ['BETTER_AUTH_SECRET', 'ENCRYPTION_SECRET_HEX', 'INSTANCE_SECRET', 'DB_PASSWORD', 'SOPS_AGE_KEY']) {
      expect(html).not.toContain(values[key]!);
    }
  });
});
