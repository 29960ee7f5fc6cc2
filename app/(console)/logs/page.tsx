import { z } from 'zod';
import { PageHeader } from '@/components/shell/page-header';
import { LogViewer } from '@/components/logs/log-viewer';
import { requirePageContext } from '@/server/auth/session';
import { LOG_SERVICES, sinceSchema } from '@/lib/schemas/logs';

export const metadata = { title: 'Logs' };

// A link can open the viewer at a moment (the overview's incidents: `?service=platform&color=blue&since=…&until=…`).
// Each parameter is taken only when valid; the viewer's own form checks the rest.
const linkSchema = z.object({
  service: z.enum([...LOG_SERVICES, 'all']).optional().catch(undefined),
  color: z.enum(['blue', 'green']).optional().catch(undefined),
  since: sinceSchema.optional().catch(undefined),
  until: sinceSchema.optional().catch(undefined),
});

export default async function LogsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const search = await searchParams;
  // The environment is checked (and the role there) on the server; the viewer streams from the one the URL names.
  await requirePageContext(search, 'viewer');
  const link = linkSchema.parse(Object.fromEntries(Object.entries(search).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
  const initial = {
    ...(link.service ? { service: link.service } : {}),
    ...(link.color ? { color: link.color } : {}),
    ...(link.since ? { since: link.since } : {}),
    // A window that has ended is read whole (the tail would cut its start) and not followed.
    ...(link.until ? { until: link.until, follow: false, tail: '100000' } : {}),
  };
  return (
    <>
      <PageHeader title="Logs">Live output of the stack&apos;s containers. stderr lines are marked ERR.</PageHeader>
      <LogViewer initial={initial} />
    </>
  );
}
