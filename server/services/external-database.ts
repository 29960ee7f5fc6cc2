import 'server-only';
import type { z } from 'zod';
import type { ActionResult } from '@/lib/action-result';
import type {
  ChecksDto,
  ConfigureResultDto,
  ConnectionDto,
  CopyStatusDto,
  DatabaseModeDto,
  PrepareResultDto,
  PrepareStepDto,
  VerifyResultDto,
} from '@/lib/dto/external-database';
import type { SessionUser } from '@/lib/dto/user';
import { CodedError } from '@/lib/errors';
import {
  adminConnectionSchema,
  bundledSchema,
  configureSchema,
  copySchema,
  copyStatusSchema,
  prepareSchema,
  verifySchema,
} from '@/lib/schemas/external-database';
import { fieldErrors } from '@/lib/schemas/field-errors';
import { appendAudit } from '../db/audit-log';
import { authorize, requireRole, type Caller } from '../auth/caller';
import type { Runtime } from '../runtime';
import { ProjectError } from '../project/project-error';
import type { ConnectTarget } from '../postgres/connection';
import {
  checkServer,
  configureProject,
  connectFromStack,
  connectTarget,
  databaseMode,
  fromConsole,
  prepareServer,
  previewPrepare,
  reachFromStack,
  useBundledDatabase,
  verifyProjectFromStack,
  type StackAccess,
} from './external-database-steps';
import { copyStatusOf, startDatabaseCopy } from './external-database-copy';
import { inProgress } from '../operations/conflicts';
import { markPending } from './settings/settings-support';

/** The database URLs are read by the colours; the next deploy starts (or no longer starts) the bundled db. */
const DATABASE_SWITCH = { proxy: false, colors: true } as const;

// Every step is admin-only: it handles the database admin's password, sets the service role's,
// or writes them into .env. Each is audited with its target server (never a password or URL).

/** What the audit trail may hold about a connection. */
function auditedTarget(t: ConnectTarget | null): string | null {
  return t ? `${t.user}@${t.host}:${t.port}/${t.database} (sslmode ${t.sslMode})` : null;
}

/** What a step runs with: the runtime, the authorised user and the caller's address (for the audit trail). */
type StepContext = { rt: Runtime; actor: SessionUser; sourceIp: string };

interface Step<S extends z.ZodType, T> {
  action: string;
  schema: S;
  target: (input: z.output<S>) => ConnectTarget | null;
  params?: (input: z.output<S>) => Record<string, unknown>;
  run: (input: z.output<S>, target: ConnectTarget | null, ctx: StepContext) => Promise<T>;
}

/** Where Tale runs, for the sign-in from the stack's network that every step with an address starts with. */
const stackAccess = (rt: Runtime): StackAccess => ({ docker: rt.docker, probe: rt.host.probe, files: rt.files });

/** The field an address problem belongs to, so the form shows it beside that field (and keeps it there). */
function addressField(input: unknown): 'host' | 'url' | null {
  const c = (input as { connection?: { kind?: string }; kind?: string } | null) ?? null;
  const kind = c?.connection?.kind ?? c?.kind;
  return kind === 'url' ? 'url' : kind === 'fields' ? 'host' : null;
}

function failure(err: unknown, input?: unknown): { ok: false; code: string; message: string; fieldErrors?: Record<string, string[]> } {
  const field = addressField(input);
  if (err instanceof CodedError && err.code === 'DB_UNREACHABLE_FROM_STACK' && field) {
    return { ok: false, code: err.code, message: err.message, fieldErrors: { [field]: [err.message] } };
  }
  if (err instanceof ProjectError && err.fieldErrors) {
    return { ok: false, code: err.code, message: err.message, fieldErrors: Object.fromEntries(Object.entries(err.fieldErrors).map(([k, v]) => [k, [v]])) };
  }
  if (err instanceof CodedError) return { ok: false, code: err.code, message: err.message };
  console.error('[tale-console] external database step failed', err instanceof Error ? err.name : typeof err);
  return { ok: false, code: 'INTERNAL', message: 'Something went wrong on the server.' };
}

function adminStep<S extends z.ZodType, T>(step: Step<S, T>) {
  return (rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<T>> =>
    authorize(caller, 'admin', async (actor) => {
      const { sourceIp } = caller;
      const record = (outcome: 'success' | 'failure', message: string, target: string | null, params: Record<string, unknown> = {}) =>
        appendAudit(rt.db, { actor, action: step.action, target, params, sourceIp, outcome, message });
      const parsed = step.schema.safeParse(raw);
      if (!parsed.success) {
        record('failure', 'invalid input', null);
        return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: fieldErrors(parsed.error) };
      }
      let target: ConnectTarget | null = null;
      try {
        target = step.target(parsed.data);
        const data = await step.run(parsed.data, target, { rt, actor, sourceIp });
        record('success', 'done', auditedTarget(target), step.params?.(parsed.data));
        return { ok: true, data };
      } catch (err) {
        const result = failure(err, parsed.data);
        record('failure', result.message, auditedTarget(target), step.params?.(parsed.data));
        return result;
      }
    });
}

export async function externalDatabaseMode(rt: Runtime, caller: Caller): Promise<DatabaseModeDto> {
  requireRole(caller, 'admin');
  return databaseMode(rt.files);
}

export const testDatabaseConnection = adminStep<typeof adminConnectionSchema, ConnectionDto>({
  action: 'database.connect',
  schema: adminConnectionSchema,
  target: (i) => connectTarget(i),
  // From where Tale runs first: an address only the console reaches must not pass.
  run: (_i, t, { rt }) => connectFromStack(stackAccess(rt), t!),
});

export const checkDatabaseServer = adminStep<typeof adminConnectionSchema, ChecksDto>({
  action: 'database.check',
  schema: adminConnectionSchema,
  target: (i) => connectTarget(i),
  run: async (_i, t, { rt }) => {
    await reachFromStack(stackAccess(rt), t!);
    return fromConsole(() => checkServer(t!));
  },
});

export const previewDatabasePrepare = adminStep<typeof prepareSchema, PrepareStepDto[]>({
  action: 'database.prepare_preview',
  schema: prepareSchema,
  target: (i) => connectTarget(i.connection),
  params: (i) => ({ role: i.role, rotate: i.rotatePassword }),
  run: async (i) => previewPrepare(i.role, i.rotatePassword),
});

export const prepareDatabaseServer = adminStep<typeof prepareSchema, PrepareResultDto | { refused: ChecksDto }>({
  action: 'database.prepare',
  schema: prepareSchema,
  target: (i) => connectTarget(i.connection),
  params: (i) => ({ role: i.role, rotate: i.rotatePassword }),
  run: async (i, t, { rt }) => {
    await reachFromStack(stackAccess(rt), t!);
    return fromConsole(() => prepareServer(rt.files, t!, { role: i.role, rotatePassword: i.rotatePassword }));
  },
});

export const configureExternalDatabase = adminStep<typeof configureSchema, ConfigureResultDto>({
  action: 'database.configure',
  schema: configureSchema,
  target: (i) => connectTarget(i.connection),
  params: (i) => ({ role: i.role, apply: i.apply }),
  // Through the project files' one writer: a settings save must not read-check-write around this one.
  run: async (i, t, { rt, actor }) => {
    // The address written into .env is the one Tale's services will dial.
    await reachFromStack(stackAccess(rt), t!);
    return rt.writes(async () => {
      const result = await configureProject(rt.files, { target: t!, role: i.role, rolePassword: i.rolePassword, apply: i.apply });
      if (i.apply) markPending(rt.db, rt.environment.id, '.env', DATABASE_SWITCH, actor, ['database']);
      return result;
    });
  },
});

export const verifyExternalDatabase = adminStep<typeof verifySchema, VerifyResultDto>({
  action: 'database.verify',
  schema: verifySchema,
  target: () => null,
  run: (i, _t, { rt }) => verifyProjectFromStack(stackAccess(rt), i.caCert),
});

export const useBundledDatabaseAgain = adminStep<typeof bundledSchema, { warnings: string[]; backups: string[] }>({
  action: 'database.use_bundled',
  schema: bundledSchema,
  target: () => null,
  run: (_i, _t, { rt, actor }) =>
    rt.writes(async () => {
      const result = await useBundledDatabase(rt.files);
      markPending(rt.db, rt.environment.id, '.env', DATABASE_SWITCH, actor, ['database']);
      return result;
    }),
});

/**
 * Starts copying the bundled db's data to the external server as a `database-copy` operation; the
 * wizard polls its status and links to it in the history. The start is audited by adminStep (a
 * start refused because another operation runs, too), the outcome when the copy ends (counts and
 * refusals, no URLs).
 */
export const copyBundledDatabase = adminStep<typeof copySchema, { id: string }>({
  action: 'database.copy',
  schema: copySchema,
  target: (i) => connectTarget(i.connection),
  params: (i) => ({ role: i.role }),
  run: async (i, t, { rt, actor, sourceIp }) => {
    const target = t!;
    // psql runs in the bundled db container, on the stack's network: refuse here what it could not reach.
    await reachFromStack(stackAccess(rt), target);
    const op = startDatabaseCopy(
      rt,
      { copy: { target, role: i.role, rolePassword: i.rolePassword }, params: { role: i.role, target: auditedTarget(target) }, actor },
      (summary) =>
        appendAudit(rt.db, {
          actor,
          action: 'database.copy_finished',
          target: auditedTarget(target),
          params: { role: i.role, tables: summary.tables.length, refused: summary.refused.map((r) => r.code) },
          sourceIp,
          outcome: summary.ok ? 'success' : 'failure',
          message: summary.failure ?? (summary.refused.length ? 'refused' : summary.ok ? 'copied' : 'row counts differ'),
        }),
    );
    if ('busy' in op) {
      const refused = inProgress(op.busy);
      throw new CodedError(refused.code, refused.message);
    }
    return { id: op.id };
  },
});

export async function databaseCopyStatus(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<CopyStatusDto>> {
  return authorize(caller, 'admin', async () => {
    const parsed = copyStatusSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, code: 'INVALID_INPUT', message: 'No such copy.' };
    try {
      return { ok: true, data: copyStatusOf(rt, parsed.data.id) };
    } catch (err) {
      return failure(err);
    }
  });
}
