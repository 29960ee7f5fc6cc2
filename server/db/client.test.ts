import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb, runMigrations } from './client';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('openDb file modes', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-db-mode-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('creates the data directory 0700 and console.db with its -wal and -shm 0600, whatever the umask', () => {
    const dataDir = path.join(tempDir(), 'data');
    const file = path.join(dataDir, 'console.db');
    const umask = process.umask(0o022);
    try {
      const { db, sqlite } = openDb(file);
      runMigrations(db);
      // A write in WAL mode makes SQLite create both companion files.
      sqlite.exec("INSERT INTO console_settings (key, value, updated_by, updated_at) VALUES ('mode-test', '1', 'test', 0)");
      expect(mode(dataDir)).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) {
        expect(fs.existsSync(f), f).toBe(true);
        expect(mode(f), f).toBe(0o600);
      }
      sqlite.close();
    } finally {
      process.umask(umask);
    }
  });

  it('narrows a database an older console left readable by others', () => {
    const file = path.join(tempDir(), 'console.db');
    const first = openDb(file);
    runMigrations(first.db);
    first.sqlite.exec("INSERT INTO console_settings (key, value, updated_by, updated_at) VALUES ('mode-test', '1', 'test', 0)");
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.chmodSync(f, 0o644);
    const second = openDb(file);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe(0o600);
    second.sqlite.close();
    first.sqlite.close();
  });
});
