import { runtime } from '@/server/runtime';
import { readiness, type Readiness } from '@/server/services/health';

export const dynamic = 'force-dynamic';

// A runtime that cannot be built (bad configuration, a database that will not open) is a "not
// ready" like any failed check, never a 500: the probe must get its booleans.
const NOTHING_ANSWERS: Readiness = { ready: false, checks: { database: false, docker: false } };

// Open on purpose for container health checks: booleans only, no detail an attacker could use.
export async function GET() {
  let r: Readiness;
  try {
    r = await readiness(runtime());
  } catch {
    r = NOTHING_ANSWERS;
  }
  return Response.json({ status: r.ready ? 'ready' : 'not-ready', checks: r.checks }, { status: r.ready ? 200 : 503 });
}
