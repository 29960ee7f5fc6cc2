import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/paths';

// The README's start command, run for real against the built console.

const root = projectRoot;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-start-'));
  dirs.push(d);
  return d;
}

async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

type Run = { output: () => string; exited: Promise<number | null>; stop: () => void };

function start(env: Record<string, string>): Run {
  let output = '';
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'production' as const, ...env },
  });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { output: () => output, exited, stop: () => child.kill('SIGTERM') };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('timed out');
}

describe('npm start', () => {
  it('starts, prints its URL and the setup token, and reports ready', async () => {
    const dataDir = tmp();
    const port = await freePort();
    const run = start({ DATA_DIR: dataDir, PORT: String(port) });
    try {
      const ready = await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/api/health/ready`);
        return res.status === 200 ? ((await res.json()) as unknown) : undefined;
      });
      expect(ready).toEqual({ status: 'ready', checks: { database: true, docker: true } });
      expect(run.output()).toContain(`http://127.0.0.1:${port}`);
      const token = fs.readFileSync(path.join(dataDir, 'setup-token'), 'utf8').trim();
      expect(run.output()).toContain(token);
      const root = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
      expect(root.headers.get('location')).toBe('/setup');
    } finally {
      run.stop();
      await run.exited;
    }
  });

  it('exits 1 with one clear message on invalid configuration', async () => {
    const run = start({ DATA_DIR: tmp(), PORT: String(await freePort()), PUBLIC_URL: 'ftp://example.com' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('Invalid configuration');
    expect(run.output()).toContain('PUBLIC_URL');
  });

  it('exits 1 before serving when a migration fails', async () => {
    const dataDir = tmp();
    // A table the first migration wants to create, with another shape: the migration must fail.
    const db = new Database(path.join(dataDir, 'console.db'));
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    db.close();
    const port = await freePort();
    const run = start({ DATA_DIR: dataDir, PORT: String(port) });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('Database migration failed, not starting');
    await expect(fetch(`http://127.0.0.1:${port}/api/health/live`)).rejects.toThrow();
  });
});
