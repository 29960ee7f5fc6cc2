import { withApiUser } from '@/server/auth/session';
import { apiQuery } from '@/server/http/api-request';
import { invalidInput } from '@/server/http/api-errors';
import { runtime } from '@/server/runtime';
import { AUDIT_EXPORT_LIMIT, auditCsv, auditEvents } from '@/server/services/audit';
import { auditFilterFromSearch } from '@/lib/schemas/audit';

export const dynamic = 'force-dynamic';

// The audit trail as JSON (default) or CSV, newest first, for admins.
export function GET(req: Request) {
  return withApiUser('admin', async () => {
    const parsed = auditFilterFromSearch(apiQuery(req));
    if (!parsed.success) return invalidInput(parsed.error);
    const rows = auditEvents(runtime(), parsed.data, AUDIT_EXPORT_LIMIT);
    if (parsed.data.format === 'csv') {
      return new Response(auditCsv(rows), {
        headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="tale-console-audit.csv"' },
      });
    }
    return Response.json({ events: rows });
  }, req);
}
