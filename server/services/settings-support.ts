import 'server-only';
import { eq } from 'drizzle-orm';
import type { ActionResult } from '@/lib/action-result';
import type { PendingDto } from '@/lib/dto/settings';
import type { SessionUser } from '@/lib/dto/user';
import { fieldErrors as zodFieldErrors } from '@/lib/schemas/field-errors';
import type { z } from 'zod';
import { getDb } from '../db/database';
import { appendAudit, type AuditOutcome } from '../db/audit-log';
import { consoleSettings } from '../db/schema/console-settings';
import { listOperations } from '../operations/operation-store';
import { ProjectError } from '../project/project-error';
import { requestIp } from '../auth/request-ip';

// Shared by the settings services: one writer at a time, coded results, audit and "pending" marks.

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs file edits one after another inside this process: read-check-write of two saves must not
 * interleave, or the second would silently undo the first.
 */
export function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

export function invalid(error: z.ZodError): ActionResult<never> {
  return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: zodFieldErrors(error) };
}

export function refusedFields(fields: Record<string, string>): ActionResult<never> {
  return {
    ok: false,
    code: 'INVALID_INPUT',
    message: 'Nothing was saved: check the highlighted fields.',
    fieldErrors: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, [v]])),
  };
}

/** Maps the project layer's coded refusals to action results; anything else is a real failure. */
export function projectFailure(err: unknown, field = '_'): ActionResult<never> {
  if (err instanceof ProjectError) {
    if (err.fieldErrors) return refusedFields(err.fieldErrors);
    if (err.code === 'OVERRIDE_INVALID' || err.code === 'OVERRIDE_UNSUPPORTED') return refusedFields({ [field]: err.message });
    return { ok: false, code: err.code, message: err.message };
  }
  throw err;
}

export const CONFLICT = {
  ok: false as const,
  code: 'CONFLICT',
  message: 'The file changed since the preview was made. Review the new preview before saving.',
};

export async function audit(
  actor: SessionUser,
  action: string,
  outcome: AuditOutcome,
  params: Record<string, unknown>,
  message: string,
  target: string | null = null,
): Promise<void> {
  appendAudit(getDb(), { actor, action, target, params, sourceIp: await requestIp(), outcome, message });
}

const PENDING_KEY = 'settings.pending';

export function markPending(file: 'env' | 'override', actor: SessionUser, now = new Date()): void {
  const db = getDb();
  const row = db.select().from(consoleSettings).where(eq(consoleSettings.key, PENDING_KEY)).get();
  const current = row ? (JSON.parse(row.value) as PendingDto) : { env: null, override: null };
  const next = JSON.stringify({ ...current, [file]: now.toISOString() });
  db.insert(consoleSettings)
    .values({ key: PENDING_KEY, value: next, updatedBy: actor.email, updatedAt: now })
    .onConflictDoUpdate({ target: consoleSettings.key, set: { value: next, updatedBy: actor.email, updatedAt: now } })
    .run();
}

/** A change is pending until a deploy or rollback that started after it has succeeded. */
export function pendingChanges(): PendingDto {
  const db = getDb();
  const row = db.select().from(consoleSettings).where(eq(consoleSettings.key, PENDING_KEY)).get();
  const marks = row ? (JSON.parse(row.value) as PendingDto) : { env: null, override: null };
  const applied = listOperations(db)
    .filter((op) => (op.kind === 'deploy' || op.kind === 'rollback') && op.status === 'succeeded')
    .map((op) => op.createdAt.getTime());
  const lastApplied = applied.length > 0 ? Math.max(...applied) : 0;
  const still = (at: string | null) => (at && new Date(at).getTime() > lastApplied ? at : null);
  return { env: still(marks.env), override: still(marks.override) };
}
