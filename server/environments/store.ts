import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { environments } from '../db/schema/environments';

export type EnvironmentRow = typeof environments.$inferSelect;

export const listEnvironmentRows = (db: Db): EnvironmentRow[] => db.select().from(environments).orderBy(asc(environments.createdAt), asc(environments.id)).all();
export const environmentRow = (db: Db, id: string): EnvironmentRow | undefined => db.select().from(environments).where(eq(environments.id, id)).get();
export const insertEnvironment = (db: Db, row: EnvironmentRow): void => void db.insert(environments).values(row).run();
export const deleteEnvironment = (db: Db, id: string): void => void db.delete(environments).where(eq(environments.id, id)).run();

/** A slug of the name, unique among `taken` ('local' is the implicit local environment's). */
export function slugFor(name: string, taken: Set<string>): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 34) || 'env';
  let id = base;
  for (let n = 2; id === 'local' || taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
