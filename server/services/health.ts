import 'server-only';
import { countUsers } from '../db/users';
import type { Runtime } from '../runtime';

export type Readiness = { ready: boolean; checks: { database: boolean; docker: boolean } };

/** Ready means: the database answers with the migrated schema, and the Docker Engine answers. */
export async function readiness(rt: Runtime): Promise<Readiness> {
  let database = false;
  try {
    countUsers(rt.db);
    database = true;
  } catch {
    database = false;
  }
  const docker = (await rt.host.status()).reachable;
  return { ready: database && docker, checks: { database, docker } };
}
