import 'server-only';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { Db } from './client';
import { consoleSettings } from './schema/console-settings';

/** A console switch, parsed with its schema; the fallback when unset or unreadable. */
export function readSetting<S extends z.ZodType>(db: Db, key: string, schema: S, fallback: z.output<S>): z.output<S> {
  const row = db.select().from(consoleSettings).where(eq(consoleSettings.key, key)).get();
  if (!row) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

export function writeSetting(db: Db, key: string, value: unknown, updatedBy: string): void {
  const values = { key, value: JSON.stringify(value), updatedBy, updatedAt: new Date() };
  db.insert(consoleSettings).values(values).onConflictDoUpdate({ target: consoleSettings.key, set: values }).run();
}
