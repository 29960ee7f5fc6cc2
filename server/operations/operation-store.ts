import 'server-only';
import crypto from 'node:crypto';
import { and, asc, desc, eq, gt, max } from 'drizzle-orm';
import type { OperationDto, OperationEventDto, OperationKind, OperationStatus } from '@/lib/dto/operations';
import { operationPurpose } from '@/lib/operation-purpose';
import { eventSentence } from '@/lib/operation-text';
import type { Db } from '../db/client';
import { operationEvents, operations, type OperationEventRow, type OperationRow } from '../db/schema/operations';
import { conflictingKind, holdsStackLease } from './conflicts';
import { LOCAL_ENVIRONMENT_ID as LOCAL } from '@/lib/schemas/environments';

const json = (text: string | null) => (text ? (JSON.parse(text) as Record<string, unknown>) : null);

export function toOperationDto(r: OperationRow): OperationDto {
  const params = json(r.params) ?? {};
  const result = json(r.result);
  return {
    id: r.id,
    environmentId: r.environmentId,
    kind: r.kind,
    status: r.status,
    params,
    purpose: operationPurpose({ kind: r.kind, params, result }),
    actor: r.actorEmail,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
    result,
  };
}

export function toEventDto(r: OperationEventRow): OperationEventDto {
  const data = json(r.data);
  return { seq: r.seq, at: r.at.toISOString(), step: r.step, status: r.status, data, text: eventSentence({ step: r.step, status: r.status, data }) };
}

/** A start refused by the conflict table, naming the kind that is running. */
export type Busy = { busy: OperationKind };

/**
 * Records a new running operation, or refuses it when a running one conflicts with its kind
 * (conflicts.ts). The check and the insert are one immediate transaction, so two starts cannot
 * both see "nothing running"; the partial unique index on `mutating` stays as a second guard.
 */
export function insertOperation(
  db: Db,
  input: { kind: OperationKind; params: Record<string, unknown>; actor: { id: string; email: string } | null },
  environmentId = LOCAL,
): OperationRow | Busy {
  const row = {
    id: crypto.randomUUID(),
    environmentId,
    kind: input.kind,
    status: 'running' as const,
    mutating: holdsStackLease(input.kind),
    params: JSON.stringify(input.params),
    actorId: input.actor?.id ?? null,
    actorEmail: input.actor?.email ?? null,
    createdAt: new Date(),
    finishedAt: null,
    errorCode: null,
    errorMessage: null,
    result: null,
  };
  try {
    return db.transaction(
      (tx) => {
        const running = tx.select({ kind: operations.kind }).from(operations).where(and(eq(operations.status, 'running'), eq(operations.environmentId, environmentId))).all();
        const conflict = conflictingKind(input.kind, running.map((r) => r.kind));
        if (conflict) return { busy: conflict };
        tx.insert(operations).values(row).run();
        return row;
      },
      { behavior: 'immediate' },
    );
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
    const running = runningOperation(db, environmentId);
    return { busy: running?.kind ?? input.kind };
  }
}

export function appendEvent(db: Db, operationId: string, e: { at: Date; step: string; status: string; data: string | null }): OperationEventRow {
  return db.transaction((tx) => {
    const last = tx.select({ n: max(operationEvents.seq) }).from(operationEvents).where(eq(operationEvents.operationId, operationId)).get();
    const row = { operationId, seq: (last?.n ?? 0) + 1, ...e };
    const inserted = tx.insert(operationEvents).values(row).returning().get();
    return inserted;
  });
}

export function finishOperation(
  db: Db,
  id: string,
  outcome: { status: Exclude<OperationStatus, 'running'>; result?: unknown; error?: { code: string; message: string } },
): void {
  db.update(operations)
    .set({
      status: outcome.status,
      finishedAt: new Date(),
      result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
      errorCode: outcome.error?.code ?? null,
      errorMessage: outcome.error?.message ?? null,
    })
    .where(and(eq(operations.id, id), eq(operations.status, 'running')))
    .run();
}

/**
 * After a restart nothing of ours is running: what was, was cut off. Each such operation gets a
 * closing event naming the last step it had reached, so its timeline ends with the cause.
 */
export function interruptRunning(db: Db, at = new Date()): OperationRow[] {
  const running = db.select().from(operations).where(eq(operations.status, 'running')).all();
  for (const op of running) {
    const last = db
      .select()
      .from(operationEvents)
      .where(eq(operationEvents.operationId, op.id))
      .orderBy(desc(operationEvents.seq))
      .limit(1)
      .get();
    appendEvent(db, op.id, {
      at,
      step: 'interrupted',
      status: 'failed',
      data: JSON.stringify({
        code: 'INTERRUPTED',
        message: 'The console stopped while this operation ran; the stack is reconciled at start-up.',
        lastStep: last ? `${last.step}:${last.status}` : null,
      }),
    });
  }
  db.update(operations)
    .set({ status: 'interrupted', finishedAt: at, errorCode: 'INTERRUPTED', errorMessage: 'The console stopped while this operation ran.' })
    .where(eq(operations.status, 'running'))
    .run();
  return running;
}

export function getOperation(db: Db, id: string): OperationRow | undefined {
  return db.select().from(operations).where(eq(operations.id, id)).get();
}

/** The newest operations of one environment. */
export function listOperations(db: Db, environmentId: string, limit = 50): OperationRow[] {
  return db.select().from(operations).where(eq(operations.environmentId, environmentId)).orderBy(desc(operations.createdAt)).limit(limit).all();
}

/** The mutating operation running in one environment, if any. */
export function runningOperation(db: Db, environmentId: string): OperationRow | undefined {
  return db.select().from(operations).where(and(eq(operations.status, 'running'), eq(operations.mutating, true), eq(operations.environmentId, environmentId))).get();
}

export function eventsAfter(db: Db, id: string, afterSeq: number): OperationEventRow[] {
  return db
    .select()
    .from(operationEvents)
    .where(and(eq(operationEvents.operationId, id), gt(operationEvents.seq, afterSeq)))
    .orderBy(asc(operationEvents.seq))
    .all();
}
