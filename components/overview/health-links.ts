import type { HealthIncidentDto } from '@/lib/dto/health';

/** The logs page around an incident: from a minute before to two after, for its container's service and colour. */
export function logsAtIncident(i: HealthIncidentDto): string | null {
  if (!i.service) return null;
  const at = Date.parse(i.at);
  const p = new URLSearchParams({ service: i.service, since: new Date(at - 60_000).toISOString(), until: new Date(at + 120_000).toISOString() });
  if (i.color) p.set('color', i.color);
  return `/logs?${p.toString()}`;
}

/** "14:05" (UTC) for the charts' axis; the day too when the range spans days. */
export function axisTime(iso: string, withDay: boolean): string {
  return withDay ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}
