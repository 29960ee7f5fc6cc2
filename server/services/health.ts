import 'server-only';
import { getDb } from '../db/database';
import { countUsers } from '../db/users';
import { engineStatus } from '../docker/client';

export type Readiness = { ready: boolean; checks: { database: boolean; docker: boolean } };

/** Ready means: the database answers with the migrated schema, and the Docker Engine answers. */
export async function readiness(): Promise<Readiness> {
  let database = false;
  try {
    countUsers(getDb());
    database = true;
  } catch {
    database = false;
  }
  const docker = (await engineStatus()).reachable;
  return { ready: database && docker, checks: { database, docker } };
}
