import 'server-only';
import type { CopyEventDto, CopyStatusDto, CopySummaryDto } from '@/lib/dto/external-database';
import type { OperationDto } from '@/lib/dto/operations';
import { CodedError } from '@/lib/errors';
import type { EventSink, StepStatus } from '../engine/ports';
import { eventsAfter, getOperation, type Busy } from '../operations/operation-store';
import type { ExecRunner } from '../docker/exec-stream';
import type { ConnectTarget } from '../postgres/connection';
import { copyBundledData } from '../postgres/bundled-copy';
import { assertIdentifier } from '../postgres/identifiers';
import { readEnvFile } from '../project/env-file';
import { projectIdOf, readTaleJson } from '../project/tale-json';
import type { Runtime } from '../runtime';
import { knownRolePassword } from './external-database-steps';
import type { ProjectDir } from '../project/file-ops';

// "Copy existing data" between Prepare and Configure: the bundled db's databases onto the prepared
// external server. The step itself (copyExistingData) knows no sessions, so integration tests
// drive exactly what the console runs; the console runs it as a `database-copy` operation, whose
// stored events the wizard polls.

export interface CopyInput {
  /** The external server as the admin connected to it; only host, port and TLS settings are used. */
  target: ConnectTarget;
  role: string;
  /** The password Prepare just set; without it, the one in .env's URLs for this server and role. */
  rolePassword?: string;
  /** Checked between databases: a database being copied finishes (or rolls back) first. */
  signal?: AbortSignal;
}

export async function copyExistingData(files: ProjectDir, exec: ExecRunner, input: CopyInput, onEvent: (e: CopyEventDto) => void = () => undefined): Promise<CopySummaryDto> {
  const password = input.rolePassword ?? (await knownRolePassword(files, input.target, input.role));
  if (!password) {
    throw new CodedError('ROLE_PASSWORD_UNKNOWN', `The password of role ${input.role} is not known here: run prepare with “set a new password”.`);
  }
  const id = projectIdOf(await readTaleJson(files));
  const env = await readEnvFile(files).then((f) => f.values, () => ({}) as Record<string, string>);
  const sourceUser = assertIdentifier(env.DB_USER || 'tale');
  try {
    return await copyBundledData({
      exec,
      container: `${id}-db`,
      sourceUser,
      target: { host: input.target.host, port: input.target.port, role: input.role, password, sslMode: input.target.sslMode, caCert: input.target.caCert },
      onEvent,
      signal: input.signal,
    });
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) throw new CodedError('BUNDLED_DB_MISSING', `There is no bundled db container (${id}-db) to copy from.`, { cause: err });
    if (status === 409) throw new CodedError('BUNDLED_DB_NOT_RUNNING', `The bundled db container (${id}-db) is not running: start it to copy its data.`, { cause: err });
    throw err;
  }
}

/** Docker streams psql's tags as fast as it restores: keep at most two readings a second per database. */
const PROGRESS_EVERY_MS = 500;

/** The copy's events as operation events: the CopyEventDto itself is the data, so the wizard reads it back. */
function copyEvents(sink: EventSink): (e: CopyEventDto) => void {
  const lastProgress = new Map<string, number>();
  return (e) => {
    if (e.type === 'progress') {
      const now = Date.now();
      if (now - (lastProgress.get(e.database) ?? 0) < PROGRESS_EVERY_MS) return;
      lastProgress.set(e.database, now);
    }
    sink.emit({ step: 'database-copy', status: STATUS_OF[e.type], data: { ...e } });
  };
}

const STATUS_OF = {
  refused: 'skipped',
  'database-started': 'started',
  progress: 'progress',
  'database-finished': 'succeeded',
  failed: 'failed',
} as const satisfies Record<CopyEventDto['type'], StepStatus>;

function failedSummary(err: unknown): CopySummaryDto {
  return { ok: false, refused: [], failure: err instanceof CodedError ? err.message : 'The copy failed on the server.', tables: [] };
}

/**
 * Starts the copy as a `database-copy` operation: persisted, listed in the history, cancellable
 * between databases, and refused while a kind that may remove or replace the bundled db runs
 * (server/operations/conflicts.ts). The role password stays in this job's memory: the params hold
 * only the role and the audited target, and the runner scrubs the password from every event.
 * `onFinish` records the outcome (audit), whether the copy ended with a summary or an error.
 */
export function startDatabaseCopy(
  rt: Runtime,
  input: { copy: CopyInput; params: Record<string, unknown>; actor: { id: string; email: string } },
  onFinish: (summary: CopySummaryDto) => void,
): OperationDto | Busy {
  const finish = (summary: CopySummaryDto) => {
    try {
      onFinish(summary);
    } catch (err) {
      // Runs detached from any request: a failed audit write must not fail the operation.
      console.error('[tale-console] recording the copy failed', err instanceof Error ? err.name : typeof err);
    }
  };
  const secrets = input.copy.rolePassword ? [input.copy.rolePassword] : [];
  const files = rt.files;
  return rt.operations.start({ kind: 'database-copy', params: input.params, actor: input.actor, secrets }, async (ports, signal) => {
    let summary: CopySummaryDto;
    try {
      // The host's streaming exec has no idle timeout: restoring one large table can leave the streams quiet for a while.
      summary = await copyExistingData(files, rt.host.exec, { ...input.copy, signal }, copyEvents(ports.events));
    } catch (err) {
      finish(failedSummary(err));
      throw err;
    }
    finish(summary);
    ports.events.emit({ step: 'database-copy', status: summary.ok ? 'succeeded' : 'failed', data: { type: 'summary', summary } });
    if (summary.refused.length > 0) throw new CodedError('COPY_REFUSED', 'Nothing was copied: a target database already has tables or lacks an extension.');
    if (!summary.ok) throw new CodedError('COPY_INCOMPLETE', summary.failure ?? 'The copy is incomplete: some tables differ in row count.');
    return summary;
  });
}

const COPY_EVENT_TYPES = new Set<string>(Object.keys(STATUS_OF));

/** What the stored events of a copy add up to so far, and the last event folded in. */
type CopyFold = { seq: number; latest: Map<string, CopyEventDto>; summary: CopySummaryDto | null };

/**
 * The wizard's view of a copy, read back from its operation: the latest event per database and the
 * summary. The wizard asks every second while a copy runs, so the fold so far stays in the
 * runtime's cache and each read adds only the events stored since; it is dropped once the copy has
 * ended (nothing follows then, and a later read folds the stored events again).
 */
export function copyStatusOf(rt: Runtime, id: string): CopyStatusDto {
  const row = getOperation(rt.db, id);
  if (!row || row.kind !== 'database-copy') throw new CodedError('COPY_NOT_FOUND', 'No such copy.');
  const key = `database-copy-status:${id}`;
  const fold = (rt.cache.get(key) as CopyFold | undefined) ?? { seq: 0, latest: new Map<string, CopyEventDto>(), summary: null };
  for (const e of eventsAfter(rt.db, id, fold.seq)) {
    fold.seq = e.seq;
    if (e.step !== 'database-copy' || !e.data) continue;
    const data = JSON.parse(e.data) as { type?: string; summary?: CopySummaryDto; database?: string };
    if (data.type === 'summary') fold.summary = data.summary ?? null;
    else if (data.type && COPY_EVENT_TYPES.has(data.type)) {
      const event = data as CopyEventDto;
      fold.latest.set(event.type === 'refused' ? `${event.database}:refused` : event.database, event);
    }
  }
  // The row was read before the events: a copy that ended in between reads as running once more.
  const done = row.status !== 'running';
  if (done) rt.cache.delete(key);
  else rt.cache.set(key, fold);
  // Ended without a summary (an error before or during the copy, a cancel, a restart): its error says why.
  const summary = done && !fold.summary ? { ok: false, refused: [], failure: row.errorMessage ?? 'The copy did not finish.', tables: [] } : fold.summary;
  return { id, state: done ? 'done' : 'running', events: [...fold.latest.values()], summary };
}
