import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, runMigrations, type Db } from '../client';

export type TempDb = { db: Db; sqlite: ReturnType<typeof openDb>['sqlite']; dispose(): void };

/** A migrated console database in its own temporary directory, for tests of the SQL it holds. */
export function openTempDb(prefix: string): TempDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const { db, sqlite } = openDb(path.join(dir, 'console.db'));
  runMigrations(db);
  return {
    db,
    sqlite,
    dispose: () => {
      sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
