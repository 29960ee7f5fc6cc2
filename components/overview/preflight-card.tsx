'use client';
import { useQuery } from '@tanstack/react-query';
import type { PreflightDto } from '@/lib/dto/preflight';
import { PreflightList } from '@/components/deployments/preflight-note';
import { useEnvironment } from '@/components/shell/environment-context';

// The overview's preflight (docs/preflight.md): asked for once the page is there (the checks take
// Docker a second or two) and again every minute; the figures change slowly.

const REFRESH_MS = 60_000;

async function fetchPreflight(url: string): Promise<PreflightDto> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(res.status === 401 ? 'Your session has ended. Sign in again.' : `The console answered HTTP ${res.status}.`);
  return (await res.json()) as PreflightDto;
}

const HEADLINE = { pass: 'Preflight: every check passes.', warn: 'Preflight: passes, with warnings.', unknown: 'Preflight: some checks could not run.', fail: 'Preflight failed: a deploy needs an override with a reason.' };

export function PreflightCard() {
  const { id: env, href } = useEnvironment();
  const q = useQuery({ queryKey: ['preflight', env], queryFn: () => fetchPreflight(href('/api/v1/preflight')), refetchInterval: REFRESH_MS, refetchIntervalInBackground: false });
  return (
    <section aria-labelledby="preflight-heading" data-testid="preflight-card" data-status={q.data?.status ?? 'checking'} className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id="preflight-heading" className="mb-2 text-sm font-semibold">
        {q.data ? HEADLINE[q.data.status] : 'Preflight'}
      </h2>
      {q.isError && (
        <p role="alert" className="text-sm text-red-600">
          The preflight could not be read: {q.error.message}
        </p>
      )}
      {!q.data && !q.isError && (
        <p role="status" aria-busy="true" className="text-sm text-zinc-600 dark:text-zinc-400">
          Checking the host…
        </p>
      )}
      {q.data && <PreflightList checks={q.data.checks} />}
    </section>
  );
}
