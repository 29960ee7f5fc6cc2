import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envValues, parseEnvDocument } from '@/server/project/env-document';
import { updateEnvFile } from '@/server/project/env-file';
import { initProject } from '@/server/project/init-project';
import { ProjectError } from '@/server/project/project-error';
import { cliReadEnv } from '../fixtures/tale-cli-env';
import { localDir } from '@/server/project/file-ops';

// Every value the console writes to .env must be read identically by the three readers of the
// file: the real docker compose v2 (as `.ci/run` installs it), the tale CLI's loose loader and the
// console's own parser; a value that cannot be written that way must be refused with the file left
// as it was. Each case starts from a fresh .env made by the console's own `initProject`, seeds the
// edited key in each quoting style, then writes the hostile value(s) through `updateEnvFile`.

const run = promisify(execFile);
// A bare environment: compose lets the caller's variables override .env in interpolation.
const bareEnv = (home: string): NodeJS.ProcessEnv => ({ NODE_ENV: 'test', PATH: process.env.PATH ?? '', HOME: home });

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'env-roundtrip-'));
  const { stdout } = await run('docker', ['compose', 'version'], { env: bareEnv(root) }).catch(() => ({
    stdout: '',
  }));
  expect(stdout, 'docker compose v2 is needed (`.ci/run` installs it)').toMatch(/Docker Compose version v?2\./);
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

let counter = 0;
async function freshProject(): Promise<string> {
  counter += 1;
  const dir = path.join(root, `p${counter}`);
  await fs.mkdir(dir);
  await initProject(localDir(dir), { host: 'tale.example.com', tlsMode: 'letsencrypt', tlsEmail: 'ops@example.com', cliVersion: '1.0.0' });
  return dir;
}

/**
 * What compose hands a container (`env_file: .env`) and what it interpolates into the compose file
 * from the project's `.env` (the stack's db health check does), for the given keys.
 */
async function composeRead(dir: string, keys: string[]): Promise<{ env: Record<string, string>; interpolated: Record<string, string> }> {
  const labels = keys.map((k) => `      i.${k}: "\${${k}}"`).join('\n');
  await fs.writeFile(
    path.join(dir, 'compose.yml'),
    `services:\n  probe:\n    image: tale-fixture/none\n    env_file: [.env]\n${keys.length > 0 ? `    labels:\n${labels}\n` : ''}`,
  );
  const { stdout } = await run('docker', ['compose', '-p', 'envrt', '-f', 'compose.yml', 'config', '--format', 'json'], {
    cwd: dir,
    env: bareEnv(dir),
  });
  const service = JSON.parse(stdout).services.probe as { environment?: Record<string, string | null>; labels?: Record<string, string> };
  // `config` prints a literal `$` as `$$` so that its output can be read again.
  const unescape = (v: string | null) => (v ?? '').replaceAll('$$', '$');
  const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, unescape(v)]));
  const interpolated = Object.fromEntries(keys.map((k) => [k, unescape(service.labels?.[`i.${k}`] ?? null)]));
  return { env, interpolated };
}

async function expectReadersAgree(dir: string, expected: Record<string, string>): Promise<void> {
  const text = await fs.readFile(path.join(dir, '.env'), 'utf8');
  const consoleValues = envValues(parseEnvDocument(text));
  const compose = await composeRead(dir, Object.keys(consoleValues));
  expect(compose.env, 'docker compose env_file').toEqual(consoleValues);
  expect(compose.interpolated, 'docker compose interpolation').toEqual(consoleValues);
  expect(consoleValues).toEqual(expected);
  const cli = cliReadEnv(text);
  for (const key of Object.keys(consoleValues)) expect(cli[key], `tale CLI reading ${key}`).toBe(consoleValues[key]);
}

// Seeds that leave the key unquoted, double-quoted and single-quoted, so the writer is tested from
// every style it may be asked to keep.
const SEEDS = { none: 'seed', double: 'seed with space', single: 'seed$dollar' };

type Case = { name: string; edits: Record<string, string>; refused?: RegExp };
const CASES: Case[] = [
  { name: 'backslash at the end', edits: { CUSTOM_A: 'C:\\path\\' } },
  { name: 'backslashes in the middle', edits: { CUSTOM_A: 'a\\b\\\\c\\nd' } },
  { name: 'backslash before a quote', edits: { CUSTOM_A: "x\\'y'z" } },
  { name: 'backslash and double quote', edits: { CUSTOM_A: 'a\\"b"' } },
  { name: 'dollar', edits: { CUSTOM_A: 'cost$5' } },
  { name: 'braced interpolation', edits: { CUSTOM_A: '${HOST}' } },
  { name: 'interpolation with default', edits: { CUSTOM_A: '${DB_PASSWORD:-x}' } },
  { name: 'double dollar', edits: { CUSTOM_A: 'a$$b' } },
  { name: 'escaped dollar', edits: { CUSTOM_A: '\\$HOST' } },
  { name: 'single quotes', edits: { CUSTOM_A: "'quoted' words" } },
  { name: 'double quotes', edits: { CUSTOM_A: 'say "hi"' } },
  { name: 'both quotes without spaces', edits: { CUSTOM_A: `x"a"'b'y` } },
  { name: 'hash after a space', edits: { CUSTOM_A: 'a #b' } },
  { name: 'hash without a space', edits: { CUSTOM_A: 'a#b' } },
  { name: 'hash after a tab', edits: { CUSTOM_A: 'a\t#b' } },
  { name: 'leading and trailing spaces', edits: { CUSTOM_A: '  padded  ' } },
  { name: 'unicode', edits: { CUSTOM_A: 'Zürich ☕ 東京' } },
  { name: 'unicode spaces at the ends', edits: { CUSTOM_A: '\u00a0nbsp\u2003' } },
  { name: 'empty', edits: { CUSTOM_A: '' } },
  { name: 'equals signs', edits: { CUSTOM_A: 'a=b==' } },
  { name: 'looks like an assignment', edits: { CUSTOM_A: 'x DB_PASSWORD=owned' } },
  // The issue's two-value injection: A ends in `\`, B carries a quote and an assignment.
  { name: 'injection across two values', edits: { CUSTOM_A: 'foo\\', CUSTOM_B: "' DB_PASSWORD=owned #'" } },
  { name: 'injection of SITE_URL', edits: { CUSTOM_A: 'x\\', CUSTOM_B: "' SITE_URL=https://evil.example #'" } },
  { name: 'both quotes and spaces', edits: { CUSTOM_A: `"a" and 'b'` }, refused: /single quotes fail.*double quotes.*no quotes because of spaces/ },
  { name: 'quotes, dollar and space', edits: { CUSTOM_A: "'$5' each" }, refused: /no quotes because of spaces, \$/ },
  { name: 'ends in backslash with a space', edits: { CUSTOM_A: 'a b\\' }, refused: /ends in \\/ },
];

describe('.env written by the console reads the same in docker compose, the tale CLI and the console', () => {
  for (const c of CASES) {
    for (const [style, seed] of Object.entries(SEEDS)) {
      it(`${c.name} (key seeded ${style})`, async () => {
        const dir = await freshProject();
        const seeds = Object.fromEntries(Object.keys(c.edits).map((k) => [k, seed]));
        await updateEnvFile(localDir(dir), seeds);
        const seeded = envValues(parseEnvDocument(await fs.readFile(path.join(dir, '.env'), 'utf8')));
        await expectReadersAgree(dir, seeded);
        const before = await fs.readFile(path.join(dir, '.env'), 'utf8');

        const outcome = await updateEnvFile(localDir(dir), c.edits).then(
          () => null,
          (err: unknown) => err,
        );
        if (c.refused) {
          expect(outcome).toBeInstanceOf(ProjectError);
          expect((outcome as ProjectError).code).toBe('ENV_INVALID');
          expect(Object.values((outcome as ProjectError).fieldErrors ?? {}).join(' ')).toMatch(c.refused);
          expect(await fs.readFile(path.join(dir, '.env'), 'utf8')).toBe(before);
        } else {
          expect(outcome).toBeNull();
          await expectReadersAgree(dir, { ...seeded, ...c.edits });
        }
      });
    }
  }
});
