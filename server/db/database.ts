import 'server-only';
import path from 'node:path';
import { getEnv } from '../env';
import { openDb, type Db } from './client';

const cache = globalThis as unknown as { __taleConsoleDb?: Db };

/** The console's one SQLite connection, shared by every module instance Next creates. */
export function getDb(): Db {
  cache.__taleConsoleDb ??= openDb(path.join(getEnv().dataDir, 'console.db')).db;
  return cache.__taleConsoleDb;
}
