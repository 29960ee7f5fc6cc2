import type pg from 'pg';
import type { PrepareStepDto } from '@/lib/dto/external-database';
import { queryError, withClient, type ConnectTarget } from './connection';
import { preparePlan, type PrepareOptions, type PrepareStep, type StepDatabase } from './prepare-plan';

const toDto = (s: PrepareStep): PrepareStepDto => ({
  id: s.id,
  title: s.title,
  database: s.database,
  sql: s.sql,
  state: 'pending',
  detail: null,
});

/** The statements as they will run, for display before anything is changed. */
export function describePrepare(opts: Omit<PrepareOptions, 'passwordVerifier'>): PrepareStepDto[] {
  return preparePlan({ ...opts, passwordVerifier: null }).map(toDto);
}

/**
 * Runs the plan step by step, one connection per database in turn. Each step is checked first
 * and applied only when its effect is missing. A failed required step stops the run; the rest are
 * reported as not run.
 */
export async function runPrepare(admin: ConnectTarget, opts: PrepareOptions): Promise<PrepareStepDto[]> {
  const plan = preparePlan(opts);
  const results = plan.map(toDto);
  const byDb = new Map<StepDatabase, number[]>();
  plan.forEach((s, i) => byDb.set(s.database, [...(byDb.get(s.database) ?? []), i]));

  let stopped = false;
  for (const database of ['admin', 'tale_platform', 'tale_knowledge'] as const) {
    const indexes = byDb.get(database) ?? [];
    if (indexes.length === 0 || stopped) continue;
    try {
      await withClient({ ...admin, database: database === 'admin' ? admin.database : database }, async (client: pg.Client) => {
        for (const i of indexes) {
          const step = plan[i]!;
          const out = results[i]!;
          try {
            if (await step.present(client)) {
              out.state = 'already-present';
              continue;
            }
            out.state = await step.apply(client);
          } catch (err) {
            const e = queryError(err);
            if (step.optional) {
              out.state = 'skipped';
              out.detail = step.optional.unavailable;
              continue;
            }
            out.state = 'failed';
            out.detail = e.message;
            stopped = true;
            return;
          }
        }
      });
    } catch (err) {
      const first = results[indexes[0]!]!;
      first.state = 'failed';
      first.detail = queryError(err).message;
      stopped = true;
    }
  }
  for (const r of results) {
    if (r.state === 'pending') {
      r.state = 'skipped';
      r.detail = 'Not run: an earlier step failed.';
    }
  }
  return results;
}
