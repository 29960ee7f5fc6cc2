import 'server-only';
import type { AuditEventDto } from '@/lib/dto/user';
import type { AuditFilterInput } from '@/lib/schemas/audit';
import type { Runtime } from '../runtime';
import { queryAudit } from '../db/audit-log';

const MAX_ROWS = 10_000;

/** No gate here: the audit page and the /api/v1/audit route let only admins through. */
export function auditEvents(rt: Runtime, filter: AuditFilterInput, limit = 500): AuditEventDto[] {
  return queryAudit(rt.db, {
    action: filter.action,
    actorEmail: filter.actor,
    outcome: filter.outcome,
    from: filter.from ? new Date(`${filter.from}T00:00:00Z`) : undefined,
    to: filter.to ? new Date(`${filter.to}T23:59:59.999Z`) : undefined,
    limit: Math.min(limit, MAX_ROWS),
  }).map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor: r.actorEmail,
    action: r.action,
    target: r.target,
    params: r.params,
    sourceIp: r.sourceIp,
    outcome: r.outcome,
    message: r.message,
    repeatCount: r.repeatCount,
    lastRepeatAt: r.lastRepeatAt?.toISOString() ?? null,
  }));
}

const COLUMNS: (keyof AuditEventDto)[] = ['id', 'at', 'actor', 'action', 'target', 'params', 'sourceIp', 'outcome', 'message', 'repeatCount', 'lastRepeatAt'];

/** RFC 4180 quoting; a leading = + - @ is prefixed so a spreadsheet never runs a cell as a formula. */
function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function auditCsv(rows: AuditEventDto[]): string {
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

export { MAX_ROWS as AUDIT_EXPORT_LIMIT };
