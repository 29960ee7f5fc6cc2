import 'server-only';
import { eq } from 'drizzle-orm';
import type { ActionResult } from '@/lib/action-result';
import type { PendingDto } from '@/lib/dto/settings';
import type { ApplyTargets } from '@/lib/settings/apply-targets';
import type { SessionUser } from '@/lib/dto/user';
import { fieldErrors as zodFieldErrors } from '@/lib/schemas/field-errors';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import type { z } from 'zod';
import type { Db } from '../../db/client';
import { appendAudit, type AuditOutcome } from '../../db/audit-log';
import { consoleSettings } from '../../db/schema/console-settings';
import { listOperations } from '../../operations/operation-store';
import { ProjectError } from '../../project/project-error';

// Shared by the settings services: coded results, audit and "pending" marks. Their writes go
// through the project files' one writer, the runtime's `writes` (server/project/write-queue.ts).

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

/** Who made a change, as the audit trail records it: the authorised user and the caller's address. */
export type Author = { actor: SessionUser; sourceIp: string };

export function audit(
  db: Db,
  { actor, sourceIp }: Author,
  action: string,
  outcome: AuditOutcome,
  params: Record<string, unknown>,
  message: string,
  target: string | null = null,
): void {
  appendAudit(db, { actor, action, target, params, sourceIp, outcome, message });
}

/**
 * Where an environment's pending marks are kept: a change saved on staging waits for staging's apply,
 * not production's. The local environment keeps the key it had before there were environments.
 */
export function pendingKey(environmentId: string): string {
  return environmentId === LOCAL_ENVIRONMENT_ID ? 'settings.pending' : `settings.pending:${environmentId}`;
}

/** Which running parts a change needs recreated: the proxy (in place) and/or the colors (blue-green). */

/** `changes`: what was changed (an .env key, an image pin), each with when, for the apply's purpose. */
type Marks = { proxy: string | null; colors: string | null; files: Record<string, string>; changes: Record<string, string> };

function readMarks(db: Db, environmentId: string): Marks {
  const row = db.select().from(consoleSettings).where(eq(consoleSettings.key, pendingKey(environmentId))).get();
  const parsed = row ? (JSON.parse(row.value) as Partial<Marks>) : {};
  return { proxy: parsed.proxy ?? null, colors: parsed.colors ?? null, files: parsed.files ?? {}, changes: parsed.changes ?? {} };
}

/** Marks a change of `file` in environment `environmentId` as waiting for the operation that recreates what it affects. */
export function markPending(db: Db, environmentId: string, file: string, targets: ApplyTargets, actor: SessionUser, changes: string[] = [file], now = new Date()): void {
  if (!targets.proxy && !targets.colors) return;
  const marks = readMarks(db, environmentId);
  const at = now.toISOString();
  const next = JSON.stringify({
    proxy: targets.proxy ? at : marks.proxy,
    colors: targets.colors ? at : marks.colors,
    files: { ...marks.files, [file]: at },
    changes: { ...marks.changes, ...Object.fromEntries(changes.map((c) => [c, at])) },
  } satisfies Marks);
  db
    .insert(consoleSettings)
    .values({ key: pendingKey(environmentId), value: next, updatedBy: actor.email, updatedAt: now })
    .onConflictDoUpdate({ target: consoleSettings.key, set: { value: next, updatedBy: actor.email, updatedAt: now } })
    .run();
}

/**
 * A change stays pending until an operation that recreates what it affects has succeeded after
 * it: the proxy is recreated only by an in-place update naming it or a deploy with "all" (a plain
 * deploy keeps the stateful services); the colors by any deploy, rollback or update of them. A
 * settings apply applies both: it recreates the proxy whose configuration changed and, when the
 * colours were pending, deploys them.
 */
export function pendingChanges(db: Db, environmentId: string): PendingDto {
  const marks = readMarks(db, environmentId);
  const done = listOperations(db, environmentId, 200).filter((op) => op.status === 'succeeded');
  const params = (raw: string) => JSON.parse(raw) as { all?: boolean; services?: string[] };
  const lastTime = (pred: (kind: string, p: { all?: boolean; services?: string[] }) => boolean) =>
    Math.max(0, ...done.filter((op) => pred(op.kind, params(op.params))).map((op) => op.createdAt.getTime()));
  const proxyApplied = lastTime((k, p) => k === 'apply-settings' || (k === 'update' && Boolean(p.services?.includes('proxy'))) || (k === 'deploy' && p.all === true));
  const colorsApplied = lastTime(
    (k, p) => k === 'apply-settings' || k === 'deploy' || k === 'rollback' || (k === 'update' && Boolean(p.services?.some((s) => ['platform', 'rag', 'crawler'].includes(s)))),
  );
  const still = (at: string | null, applied: number) => (at && new Date(at).getTime() > applied ? at : null);
  const proxy = still(marks.proxy, proxyApplied);
  const colors = still(marks.colors, colorsApplied);
  const oldest = Math.min(proxy ? Date.parse(proxy) : Infinity, colors ? Date.parse(colors) : Infinity);
  // The files changed since the oldest change that is still waiting.
  const files = Object.entries(marks.files)
    .filter(([, at]) => Date.parse(at) >= oldest)
    .map(([file]) => file);
  return { proxy, colors, files };
}

/**
 * What the pending changes are (.env keys, image pins, restored files), for the purpose "Apply
 * now" records: those made since the oldest change still waiting.
 */
export function pendingSettings(db: Db, environmentId: string): string[] {
  const pending = pendingChanges(db, environmentId);
  const oldest = Math.min(pending.proxy ? Date.parse(pending.proxy) : Infinity, pending.colors ? Date.parse(pending.colors) : Infinity);
  return Object.entries(readMarks(db, environmentId).changes)
    .filter(([, at]) => Date.parse(at) >= oldest)
    .map(([what]) => what);
}
