import { readiness } from '@/server/services/health';

export const dynamic = 'force-dynamic';

// Open on purpose for container health checks: booleans only, no detail an attacker could use.
export async function GET() {
  const r = await readiness();
  return Response.json({ status: r.ready ? 'ready' : 'not-ready', checks: r.checks }, { status: r.ready ? 200 : 503 });
}
