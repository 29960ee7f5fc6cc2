import type { PreflightDto, PreflightStatus } from '@/lib/dto/preflight';
import { clockCheck } from './clock';
import { diskCheck } from './disk';
import { dockerSocketCheck } from './docker-socket';
import { dockerVersionCheck } from './docker-version';
import { letsencryptDnsCheck } from './letsencrypt-dns';
import { memoryCheck } from './memory';
import { portsCheck } from './ports';
import type { Check, CheckResult, PreflightContext, PreflightPort } from './types';

// Runs every check at once, each with its own deadline. A check that throws (a figure it may not
// read, an engine that does not answer) or outlives its deadline is `unknown` with the reason:
// never a pass, and never a failure the operator would have to override for no cause.

export const CHECKS: readonly Check[] = [dockerVersionCheck, memoryCheck, diskCheck, portsCheck, dockerSocketCheck, clockCheck, letsencryptDnsCheck];

/** Long enough for the disk check's helper container on a busy host. */
export const CHECK_TIMEOUT_MS = 15_000;

const RANK: Record<PreflightStatus, number> = { pass: 0, warn: 1, unknown: 2, fail: 3 };

export function worst(statuses: PreflightStatus[]): PreflightStatus {
  return statuses.reduce<PreflightStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'pass');
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'the console may not read the figure it needs (no permission)';
  if (e?.code === 'ENOENT') return 'a file or path it reads is missing';
  if (e instanceof Error && e.message) return e.message.slice(0, 300);
  return 'it failed unexpectedly';
}

export function unknownResult(err: unknown): CheckResult {
  return { status: 'unknown', summary: `This check could not run: ${reason(err)}.`, fix: 'See docs/preflight.md for what the check reads and the permission it needs, then check again.', figures: {} };
}

async function runOne(check: Check, port: PreflightPort, ctx: PreflightContext, timeoutMs: number): Promise<CheckResult | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)));
  try {
    return await Promise.race([check.run(port, ctx), deadline]);
  } catch (err) {
    return unknownResult(err);
  } finally {
    clearTimeout(timer);
  }
}

export async function runPreflight(port: PreflightPort, ctx: PreflightContext, opts: { checks?: readonly Check[]; timeoutMs?: number } = {}): Promise<PreflightDto> {
  const checks = opts.checks ?? CHECKS;
  const results = await Promise.all(checks.map(async (c) => ({ check: c, result: await runOne(c, port, ctx, opts.timeoutMs ?? CHECK_TIMEOUT_MS) })));
  const dtos = results.filter((r) => r.result !== null).map(({ check, result }) => ({ id: check.id, title: check.title, ...result! }));
  return {
    checkedAt: port.now().toISOString(),
    status: worst(dtos.map((d) => d.status)),
    checks: dtos,
    failing: dtos.filter((d) => d.status === 'fail').map((d) => d.id),
  };
}
