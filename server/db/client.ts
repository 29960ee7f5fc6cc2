import 'server-only';
import path from 'node:path';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as users from './schema/users';
import * as audit from './schema/audit';
import * as operations from './schema/operations';
import * as apiTokens from './schema/api-tokens';
import * as consoleSettings from './schema/console-settings';
import * as sessions from './schema/sessions';
import * as alerts from './schema/alerts';
import * as health from './schema/health';

const schema = { ...users, ...audit, ...operations, ...apiTokens, ...consoleSettings, ...sessions, ...alerts, ...health };
export type Db = BetterSQLite3Database<typeof schema>;

/**
 * The database holds password hashes, TOTP secrets and the audit trail: only the console's user may
 * read it. SQLite gives the -wal and -shm files the main file's mode, so creating that one 0600
 * (before SQLite creates it with the umask's 0644) covers all three; a file an older console
 * created 0644 is narrowed at the next start.
 */
function restrictFiles(file: string): void {
  fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      fs.chmodSync(f, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** Opens the console database with the settings every connection needs. */
export function openDb(file: string): { db: Db; sqlite: Database.Database } {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  restrictFiles(file);
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return { db: drizzle(sqlite, { schema }), sqlite };
}

/**
 * Committed migrations live beside the schema; the start script copies them next to the
 * standalone server, so they resolve from the working directory in both layouts.
 */
export function migrationsFolder(): string {
  return path.join(process.cwd(), 'server', 'db', 'migrations');
}

export function runMigrations(db: Db): void {
  migrate(db, { migrationsFolder: migrationsFolder() });
}
