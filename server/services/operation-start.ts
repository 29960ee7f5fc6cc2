import 'server-only';
import { CodedError } from '@/lib/errors';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto, OperationKind } from '@/lib/dto/operations';
import type { SessionUser } from '@/lib/dto/user';
import { fieldErrors } from '@/lib/schemas/field-errors';
import type { Caller } from '../auth/caller';
import { appendAudit } from '../db/audit-log';
import { inProgress } from '../operations/conflicts';
import type { Job } from '../operations/runner';
import type { Runtime } from '../runtime';

// How every service starts an operation: the audited start (refused while a conflicting kind
// runs), the answer to invalid input, and the typed project-id confirmation. Apart from
// operations.ts so the services that operations.ts itself uses (the backup gate, backups) can
// start their own kinds without an import circle.

/** Who started a job and from where: the audit row of its start carries both. */
export type Starter = { rt: Runtime; caller: Caller; actor: SessionUser };

export function launch({ rt, caller, actor }: Starter, kind: OperationKind, params: Record<string, unknown>, job: Job): ActionResult<OperationDto> {
  const op = rt.operations.start({ kind, params, actor }, job);
  const busy = 'busy' in op;
  appendAudit(rt.db, {
    actor,
    action: `operations.${kind}`,
    target: busy ? null : op.id,
    params,
    sourceIp: caller.sourceIp,
    outcome: busy ? 'denied' : 'success',
    message: busy ? `another operation is running (${op.busy})` : 'started',
  });
  return busy ? inProgress(op.busy) : { ok: true, data: op };
}

export function invalid(error: import('zod').ZodError): ActionResult<never> {
  return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(error) };
}

/** The project id from tale.json, or null when it cannot be read. */
export async function projectId(rt: Runtime): Promise<string | null> {
  try {
    return await rt.project.readProjectId();
  } catch (err) {
    if (err instanceof CodedError) return null;
    throw err;
  }
}

export const WRONG_PROJECT = {
  ok: false as const,
  code: 'CONFIRMATION_MISMATCH',
  message: 'That is not this project’s id. Nothing was changed.',
  fieldErrors: { projectId: ['Type the project id exactly as shown'] },
};

/** A typed confirmation that does not match is refused and audited; `true` when it matches. */
export async function confirmProject({ rt, caller, actor }: Starter, action: string, typed: string, params: Record<string, unknown>): Promise<boolean> {
  const expected = await projectId(rt);
  if (expected !== null && typed === expected) return true;
  appendAudit(rt.db, { actor, action, params, sourceIp: caller.sourceIp, outcome: 'denied', message: 'project id confirmation did not match' });
  return false;
}
