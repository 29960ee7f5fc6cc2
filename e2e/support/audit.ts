import type { AuditEventDto } from '@/lib/dto/user';

/** The audit trail as an admin reads it on /api/v1/audit, newest first; `action` narrows it to one action. */
export async function auditEvents(baseURL: string, adminCookie: string, action?: string): Promise<AuditEventDto[]> {
  const res = await fetch(`${baseURL}/api/v1/audit${action ? `?action=${action}` : ''}`, { headers: { Cookie: adminCookie } });
  if (res.status !== 200) throw new Error(`audit read refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { events: AuditEventDto[] }).events;
}
