import 'server-only';
import { EventEmitter } from 'node:events';
import { CodedError } from '@/lib/errors';
import type { OperationDto, OperationEventDto, OperationKind } from '@/lib/dto/operations';
import type { EngineEvent, EnginePorts, EventSink } from '../engine/ports';
import type { Db } from '../db/client';
import { appendEvent, type Busy, eventsAfter, finishOperation, getOperation, insertOperation, toEventDto, toOperationDto } from './operation-store';
import { secretValuesOf } from '@/lib/settings/env-catalog';
import { scrub, scrubForms } from './redact-secrets';

// Long operations run here, apart from the request that started them: persisted step by step,
// fanned out to live subscribers, cancellable, and never beside a kind it conflicts with
// (conflicts.ts).

export type Job = (ports: EnginePorts, signal: AbortSignal) => Promise<unknown>;
export type OperationMessage = { event: OperationEventDto } | { end: OperationDto };

function errorOf(err: unknown, secrets: string[]): { code: string; message: string } {
  if (err instanceof CodedError) return { code: err.code, message: scrub(err.message, secrets) };
  return { code: 'INTERNAL', message: 'The operation failed unexpectedly. The console log has details.' };
}

export interface OperationInput {
  kind: OperationKind;
  /** Persisted and shown in the history: never a password. */
  params: Record<string, unknown>;
  actor: { id: string; email: string } | null;
  /**
   * Values the job holds in memory that events and errors must never show (e.g. the role password
   * of a database copy), scrubbed like the .env secrets; never persisted.
   */
  secrets?: string[];
}

/** The one operations system of a runtime: start, cancel and follow every long-running job. */
export interface Operations {
  start(input: OperationInput, job: Job): OperationDto | Busy;
  /** False when no job of that id runs in this process. */
  cancel(id: string): boolean;
  /**
   * Replays the stored events after `afterSeq`, then follows live ones; ends with the final
   * operation. Returns the unsubscribe.
   */
  subscribe(id: string, afterSeq: number, listener: (m: OperationMessage) => void): () => void;
}

/** The live side of the operations: who listens to which operation, and how to stop a running job. */
export type OperationsLive = { bus: EventEmitter; controllers: Map<string, AbortController> };

export const createOperationsLive = (): OperationsLive => ({ bus: new EventEmitter().setMaxListeners(0), controllers: new Map() });

export type OperationsDeps = {
  db: Db;
  /** The environment the operations run on (operations.environment_id); 'local' when left out. */
  environmentId?: string;
  /**
   * Shared by every environment's runtime in one process, so one stream route follows (and one
   * cancel stops) an operation of any environment by its id.
   */
  live?: OperationsLive;
  /** The engine's ports for one job, with that job's event sink and actor. */
  ports(events: EventSink, actor: string | null): EnginePorts;
  /**
   * Hears every operation that ended, once, after its subscribers (the alerts: docs/alerts.md).
   * Must not throw or wait: it runs in the job's last step.
   */
  onFinish?(op: OperationDto): void;
};

export function createOperations(deps: OperationsDeps): Operations {
  const { bus, controllers } = deps.live ?? createOperationsLive();
  return {
    start: (input, job) => startOperation(deps, bus, controllers, input, job),
    cancel(id) {
      const controller = controllers.get(id);
      if (!controller) return false;
      controller.abort(new CodedError('CANCELLED', 'Cancelled by a user.'));
      return true;
    },
    subscribe: (id, afterSeq, listener) => subscribe(deps.db, bus, id, afterSeq, listener),
  };
}

function startOperation(
  { db, ports: portsFor, onFinish, environmentId }: OperationsDeps,
  bus: EventEmitter,
  controllers: Map<string, AbortController>,
  input: OperationInput,
  job: Job,
): OperationDto | Busy {
  const row = insertOperation(db, input, environmentId);
  if ('busy' in row) return row;
  const controller = new AbortController();
  controllers.set(row.id, controller);
  const ownSecrets = input.secrets ?? [];
  let secrets = scrubForms(ownSecrets);

  const publish = (message: OperationMessage) => bus.emit(row.id, message);
  const lastPull = new Map<string, { at: number; status: string }>();
  const events = {
    emit(e: EngineEvent) {
      // Docker reports pull progress many times a second per layer: keep a change of status and
      // at most two readings a second, so the timeline stays live without flooding the database.
      if (e.step === 'pull' && e.status === 'progress' && typeof e.data?.layer === 'string') {
        const key = `${String(e.data.image)}/${e.data.layer}`;
        const prev = lastPull.get(key);
        const now = Date.now();
        const status = String(e.data.status);
        if (prev && prev.status === status && now - prev.at < 500) return;
        lastPull.set(key, { at: now, status });
      }
      const data = e.data ? scrub(JSON.stringify(e.data), secrets) : null;
      const stored = appendEvent(db, row.id, { at: new Date(), step: e.step, status: e.status, data });
      publish({ event: toEventDto(stored) });
    },
  };

  void (async () => {
    const ports = portsFor(events, input.actor?.email ?? null);
    try {
      secrets = scrubForms([...ownSecrets, ...secretValuesOf(await ports.project.readEnv().catch(() => ({})))]);
      const result = await job(ports, controller.signal);
      finishOperation(db, row.id, { status: 'succeeded', result });
    } catch (err) {
      const cancelled = controller.signal.aborted;
      // A job that rethrows the signal's reason throws a CodedError of the bundle that cancelled it,
      // which is not this bundle's class: a cancel is said as one all the same.
      const error = cancelled && !(err instanceof CodedError) ? { code: 'CANCELLED', message: 'Cancelled by a user.' } : errorOf(err, secrets);
      if (!cancelled && !(err instanceof CodedError)) console.error(`[tale-console] operation ${row.id} failed`, err);
      finishOperation(db, row.id, { status: cancelled ? 'cancelled' : 'failed', error });
    } finally {
      controllers.delete(row.id);
      const final = toOperationDto(getOperation(db, row.id)!);
      publish({ end: final });
      try {
        onFinish?.(final);
      } catch (err) {
        console.error(`[tale-console] operation ${row.id}: the finish hook failed`, err);
      }
    }
  })();
  return toOperationDto(row);
}

/** Listening starts before the replay, so nothing falls between the two. */
function subscribe(db: Db, bus: EventEmitter, id: string, afterSeq: number, listener: (m: OperationMessage) => void): () => void {
  let last = afterSeq;
  let ended = false;
  const buffered: OperationMessage[] = [];
  let replaying = true;
  const deliver = (m: OperationMessage) => {
    if (ended) return;
    if ('event' in m) {
      if (m.event.seq <= last) return;
      last = m.event.seq;
    } else ended = true;
    listener(m);
  };
  const onMessage = (m: OperationMessage) => (replaying ? buffered.push(m) : deliver(m));
  bus.on(id, onMessage);
  for (const row of eventsAfter(db, id, afterSeq)) deliver({ event: toEventDto(row) });
  replaying = false;
  buffered.splice(0).forEach(deliver);
  const op = getOperation(db, id);
  if (op && op.status !== 'running') deliver({ end: toOperationDto(op) });
  return () => bus.off(id, onMessage);
}
