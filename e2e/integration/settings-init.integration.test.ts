import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { envValues, parseEnvDocument } from '@/server/project/env-document';
import { startConsole, type RunningConsole } from '../support/console';
import { actionId, callAction } from '../support/server-actions';

// "Initialise" on a console whose deployment directory is empty: refused input writes nothing, a
// valid answer creates tale.json and a .env with generated secrets, and a second call adopts the
// project as it is instead of overwriting it.

let app: RunningConsole;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-settings-init-'));
  app = await startConsole({ deployDir: path.join(dir, 'deploy') });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function initialise(input: unknown): Promise<string> {
  return callAction(app.baseURL, actionId('app/(console)/settings/actions.ts#initialiseAction'), ['local', input], app.cookie);
}

it('creates the project with generated secrets once, and adopts it afterwards', async () => {
  const deployDir = path.join(dir, 'deploy');
  for (const bad of [
    { host: 'tale.example.com\nTLS_MODE=external', tlsMode: 'selfsigned' },
    { host: 'tale.example.com', tlsMode: 'letsencrypt', tlsEmail: 'me@' },
    { host: 'tale.example.com', tlsMode: 'none' },
  ]) {
    const res = await initialise(bad);
    expect(res).toContain('"code":"INVALID_INPUT"');
    expect(fs.existsSync(path.join(deployDir, '.env'))).toBe(false);
  }

  expect(await initialise({ host: 'tale.example.com', tlsMode: 'letsencrypt', tlsEmail: 'ops@example.com' })).toContain('"ok":true');
  const env = fs.readFileSync(path.join(deployDir, '.env'), 'utf8');
  const values = envValues(parseEnvDocument(env));
  expect(values).toMatchObject({ HOST: 'tale.example.com', SITE_URL: 'https://tale.example.com', TLS_MODE: 'letsencrypt', TLS_EMAIL: 'ops@example.com' });
  expect(values.ENCRYPTION_SECRET_HEX).toMatch(/^[0-9a-f]{64}$/);
  expect(values.SOPS_AGE_KEY).toMatch(/^AGE-SECRET-KEY-1/);
  expect(fs.statSync(path.join(deployDir, '.env')).mode & 0o777).toBe(0o600);
  const taleJson = fs.readFileSync(path.join(deployDir, 'tale.json'));

  const again = await initialise({ host: 'other.example.com', tlsMode: 'selfsigned' });
  expect(again).toContain('"code":"PROJECT_EXISTS"');
  expect(fs.readFileSync(path.join(deployDir, '.env'), 'utf8')).toBe(env);
  expect(fs.readFileSync(path.join(deployDir, 'tale.json'))).toEqual(taleJson);

  const page = await fetch(`${app.baseURL}/settings`, { headers: { Cookie: app.cookie } }).then((r) => r.text());
  expect(page).toContain('Domain and TLS');
  expect(page).not.toContain(values.ENCRYPTION_SECRET_HEX!);
});
