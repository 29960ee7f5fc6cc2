import Link from 'next/link';
import type { FleetDto, FleetEnvironmentDto } from '@/lib/dto/environments';
import { withEnv } from '@/lib/env-href';
import { formatTime } from '@/lib/format-time';
import { Badge } from '@/components/ui/badge';
import { ColourSwatch } from './colour-swatch';

const TONE: Record<string, 'good' | 'warn' | 'bad' | 'neutral'> = { healthy: 'good', running: 'good', starting: 'warn', unhealthy: 'bad', stopped: 'bad', 'not deployed': 'neutral' };

/** How old a card's state is, in words. */
export function ageWords(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 1 ? 'read just now' : `read ${s} s ago`;
}

function Card({ e }: { e: FleetEnvironmentDto }) {
  const { environment: env, probe } = e;
  return (
    <article className="space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800" data-testid="fleet-card" data-environment={env.id} data-reachable={probe.reachable}>
      <header className="flex flex-wrap items-center gap-2">
        <ColourSwatch colour={env.colour} />
        <h2 className="font-semibold">
          {/* The environment's own overview: the shell then shows it and keeps it on every link. */}
          <Link className="underline decoration-zinc-400 underline-offset-2 hover:decoration-current" href={withEnv('/', env.id)} data-testid="fleet-open">
            {env.name}
          </Link>
        </h2>
        <Badge tone={probe.reachable ? 'good' : 'bad'}>{probe.reachable ? 'reachable' : 'unreachable'}</Badge>
        {/* A remote environment's state is its runtime's last read: its age is always shown, never passed off as live. */}
        <span className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="fleet-age" data-age-ms={e.ageMs} title={`Read at ${formatTime(e.checkedAt)} in ${e.durationMs} ms`}>
          {ageWords(e.ageMs)} · {e.durationMs} ms
        </span>
      </header>
      <p className="break-all text-xs text-zinc-600 dark:text-zinc-400">
        {env.endpoint ?? 'The local Docker Engine'} · {env.deployDir}
      </p>
      {!probe.reachable ? (
        <p role="status" className="text-sm text-red-700 dark:text-red-400" data-testid="fleet-error">
          {probe.message}
        </p>
      ) : (
        <>
          <p className="text-sm">
            {probe.initialised ? (
              <>
                Live: <strong>{probe.activeVersion ?? 'nothing deployed'}</strong>
                {probe.activeColor ? ` (${probe.activeColor})` : ''}
                {probe.projectId ? ` · project ${probe.projectId}` : ''}
              </>
            ) : (
              (probe.message ?? 'No Tale project in this directory.')
            )}
          </p>
          {probe.services.length > 0 && (
            <ul className="flex flex-wrap gap-2 text-xs" aria-label={`Services of ${env.name}`}>
              {probe.services.map((s) => (
                <li key={s.service} className="flex items-center gap-1">
                  {s.service} <Badge tone={TONE[s.status] ?? 'neutral'}>{s.status}</Badge>
                  {s.version && <span className="text-zinc-500 dark:text-zinc-400">{s.version}</span>}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs">
          <dt className="text-zinc-500 dark:text-zinc-400">Running</dt>
          <dd>{e.records.running ? <a className="underline" href={`/deployments/${e.records.running.id}?env=${encodeURIComponent(e.environment.id)}`}>{e.records.running.purpose}</a> : 'nothing'}</dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Last backup</dt>
          <dd>{e.records.lastBackup ? formatTime(e.records.lastBackup.finishedAt) : 'none yet'}</dd>
          <dt className="text-zinc-500 dark:text-zinc-400">Alerts (24 h)</dt>
          <dd>{e.records.alertsLast24h}</dd>
      </dl>
    </article>
  );
}

/** One card per environment, the local one first; unreachable ones say why. */
export function FleetCards({ fleet }: { fleet: FleetDto }) {
  return (
    <div className="space-y-3">
      <div className="grid gap-4 md:grid-cols-2" data-testid="fleet">
        {fleet.environments.map((e) => (
          <Card key={e.environment.id} e={e} />
        ))}
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        Checked {formatTime(fleet.checkedAt)} in {fleet.durationMs} ms; each environment gets {fleet.deadlineMs / 1000} s to answer. A remote environment&apos;s state is read in the background and shown with its age (at most {fleet.maxAgeMs / 1000} s old; older is read again).
      </p>
    </div>
  );
}
