'use client';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { HealthHistoryDto, HealthRange } from '@/lib/dto/health';
import { HEALTH_RANGES } from '@/lib/schemas/health';
import { formatTime } from '@/lib/format-time';
import { useEnvironment } from '@/components/shell/environment-context';
import { IncidentList } from './incident-list';
import { ResourceCharts } from './resource-charts';
import { UptimeBars } from './uptime-bars';

// The overview's health history (recorded by server/watch/): uptime bars for 24 h, CPU and memory
// for a chosen range, and the incidents of that range with a link to the logs at each moment.
// Rendered in the browser only (the figures come from a fetch), so nothing here can differ
// between a server render and its hydration.

const POLL_MS = 30_000;
const LABELS: Record<HealthRange, string> = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days', '30d': '30 days' };
const card = 'rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900';

async function fetchHistory(url: string): Promise<HealthHistoryDto> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(res.status === 401 ? 'Your session has ended. Sign in again.' : `The console answered HTTP ${res.status}.`);
  return (await res.json()) as HealthHistoryDto;
}

export function HealthHistory() {
  const [range, setRange] = useState<HealthRange>('24h');
  const { id: env, href } = useEnvironment();
  const q = useQuery({ queryKey: ['health-history', env, range], queryFn: () => fetchHistory(href(`/api/v1/health/history?range=${range}`)), refetchInterval: POLL_MS, refetchIntervalInBackground: false });
  const h = q.data;
  return (
    <section className={`${card} space-y-5`} aria-labelledby="health-history">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="health-history" className="text-base font-semibold">
          Health history
        </h2>
        {h && !h.watcher.enabled && <p className="text-sm text-amber-700 dark:text-amber-300">The health watcher is off (HEALTH_WATCH=off): nothing new is recorded.</p>}
        {h?.watcher.enabled && !h.watcher.listening && (
          <p role="status" className="text-sm text-amber-700 dark:text-amber-300">
            Not listening to the Docker Engine{h.watcher.lastHeartbeat ? ` since ${formatTime(h.watcher.lastHeartbeat)} UTC` : ''}; the gap is marked once it answers.
          </p>
        )}
      </div>
      {q.error && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{(q.error as Error).message}</p>}
      {!h && !q.error && (
        <p role="status" aria-busy="true" className="text-sm text-zinc-600 dark:text-zinc-400">
          Reading the history…
        </p>
      )}
      {h && (
        <>
          <div>
            <h3 className="mb-2 text-sm font-medium text-zinc-600 dark:text-zinc-400">Uptime, last 24 hours</h3>
            <UptimeBars services={h.uptime.services} />
          </div>
          <div>
            <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
              <h3 className="text-sm font-medium text-zinc-600 dark:text-zinc-400">CPU and memory</h3>
              <div role="group" aria-label="Range" className="inline-flex overflow-hidden rounded-md border border-zinc-300 dark:border-zinc-700">
                {HEALTH_RANGES.map((r) => (
                  <button
                    key={r}
                    type="button"
                    aria-pressed={r === range}
                    aria-label={`Last ${LABELS[r]}`}
                    onClick={() => setRange(r)}
                    className={`px-3 py-1 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500 ${r === range ? 'bg-indigo-600 text-white' : 'bg-white text-zinc-800 hover:bg-zinc-100 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800'}`}
                  >
                    {r}
                  </button>
                ))}
              </div>
            </div>
            <ResourceCharts series={h.series} spansDays={h.range === '7d' || h.range === '30d'} />
          </div>
          <div>
            <h3 className="mb-2 text-sm font-medium text-zinc-600 dark:text-zinc-400">Incidents, last {LABELS[h.range]}</h3>
            <IncidentList incidents={h.incidents} />
          </div>
        </>
      )}
    </section>
  );
}
