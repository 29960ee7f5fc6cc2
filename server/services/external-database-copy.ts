import 'server-only';
import { randomUUID } from 'node:crypto';
import type { CopyEventDto, CopyStatusDto, CopySummaryDto } from '@/lib/dto/external-database';
import { CodedError } from '@/lib/errors';
import type { ExecRunner } from '../docker/exec-stream';
import type { ConnectTarget } from '../postgres/connection';
import { copyBundledData } from '../postgres/bundled-copy';
import { assertIdentifier } from '../postgres/identifiers';
import { readEnvFile } from '../project/env-file';
import { projectIdOf, readTaleJson } from '../project/tale-json';
import { knownRolePassword } from './external-database-steps';

// "Copy existing data" between Prepare and Configure: the bundled db's databases onto the prepared
// external server. The step itself (copyExistingData) knows no sessions, so integration tests
// drive exactly what the console runs; the job store lets the wizard poll its progress.

export interface CopyInput {
  /** The external server as the admin connected to it; only host, port and TLS settings are used. */
  target: ConnectTarget;
  role: string;
  /** The password Prepare just set; without it, the one in .env's URLs for this server and role. */
  rolePassword?: string;
}

export async function copyExistingData(dir: string, exec: ExecRunner, input: CopyInput, onEvent: (e: CopyEventDto) => void = () => undefined): Promise<CopySummaryDto> {
  const password = input.rolePassword ?? (await knownRolePassword(dir, input.target, input.role));
  if (!password) {
    throw new CodedError('ROLE_PASSWORD_UNKNOWN', `The password of role ${input.role} is not known here: run prepare with “set a new password”.`);
  }
  const id = projectIdOf(await readTaleJson(dir));
  const env = await readEnvFile(dir).then((f) => f.values, () => ({}) as Record<string, string>);
  const sourceUser = assertIdentifier(env.DB_USER || 'tale');
  try {
    return await copyBundledData({
      exec,
      container: `${id}-db`,
      sourceUser,
      target: { host: input.target.host, port: input.target.port, role: input.role, password, sslMode: input.target.sslMode, caCert: input.target.caCert },
      onEvent,
    });
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404) throw new CodedError('BUNDLED_DB_MISSING', `There is no bundled db container (${id}-db) to copy from.`, { cause: err });
    if (status === 409) throw new CodedError('BUNDLED_DB_NOT_RUNNING', `The bundled db container (${id}-db) is not running: start it to copy its data.`, { cause: err });
    throw err;
  }
}

interface CopyJob {
  id: string;
  state: 'running' | 'done';
  /** The latest event per database (and every refusal): enough for one line each. */
  events: Map<string, CopyEventDto>;
  summary: CopySummaryDto | null;
}

const store = globalThis as unknown as { __taleConsoleCopyJobs?: Map<string, CopyJob> };
const jobs = () => (store.__taleConsoleCopyJobs ??= new Map());
const MAX_FINISHED = 10;

function eventKey(e: CopyEventDto): string {
  return e.type === 'refused' ? `${e.database}:refused` : e.database;
}

/**
 * Starts a copy in the background and returns its id at once (a copy takes as long as the data
 * is large). One copy at a time; `onFinish` records the outcome (audit).
 */
export function startCopyJob(run: (onEvent: (e: CopyEventDto) => void) => Promise<CopySummaryDto>, onFinish: (summary: CopySummaryDto) => void): string {
  if ([...jobs().values()].some((j) => j.state === 'running')) {
    throw new CodedError('COPY_RUNNING', 'A copy is already running; wait for it to finish.');
  }
  const job: CopyJob = { id: randomUUID(), state: 'running', events: new Map(), summary: null };
  jobs().set(job.id, job);
  const finish = (summary: CopySummaryDto) => {
    job.summary = summary;
    job.state = 'done';
    try {
      onFinish(summary);
    } catch (err) {
      // Runs detached from any request: a failed audit write must not become an unhandled rejection.
      console.error('[tale-console] recording the copy failed', err instanceof Error ? err.name : typeof err);
    }
    const done = [...jobs().values()].filter((j) => j.state === 'done');
    for (const old of done.slice(0, Math.max(0, done.length - MAX_FINISHED))) jobs().delete(old.id);
  };
  run((e) => job.events.set(eventKey(e), e)).then(finish, (err: unknown) => {
    const message = err instanceof CodedError ? err.message : 'The copy failed on the server.';
    if (!(err instanceof CodedError)) console.error('[tale-console] copy failed', err instanceof Error ? err.name : typeof err);
    finish({ ok: false, refused: [], failure: message, tables: [] });
  });
  return job.id;
}

export function copyJobStatus(id: string): CopyStatusDto {
  const job = jobs().get(id);
  if (!job) throw new CodedError('COPY_NOT_FOUND', 'No such copy (the console may have restarted).');
  return { id: job.id, state: job.state, events: [...job.events.values()], summary: job.summary };
}
