import type { ServiceUptimeDto, UptimeBucketDto } from '@/lib/dto/health';
import { formatTime } from '@/lib/format-time';

// One bar per service: 48 half-hour cells over the last 24 hours, coloured by the state that held
// longest in the cell (grey: not watched). The bar is one image to a screen reader, with its
// figures in words, not 48 cells read out one by one.

const FILL = { up: 'bg-emerald-500', unhealthy: 'bg-amber-400', down: 'bg-red-500', unknown: 'bg-zinc-300 dark:bg-zinc-700' } as const;

function dominant(b: UptimeBucketDto): keyof typeof FILL {
  // Any down time shows: a 2-minute outage must not vanish inside a half-hour cell.
  if (b.down > 0) return 'down';
  if (b.unhealthy > 0) return 'unhealthy';
  return b.up > 0 && b.up >= b.unknown ? 'up' : 'unknown';
}

const minutes = (ms: number) => Math.round(ms / 60_000);
const span = (ms: number) => (ms < 60_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${minutes(ms)} min`);

/** A cell's tooltip: every state it held, with how long, so a short unhealthy spell beside an outage still shows. */
function cellTitle(b: UptimeBucketDto): string {
  const held = (['up', 'unhealthy', 'down', 'unknown'] as const).filter((k) => b[k] > 0).map((k) => `${k === 'unknown' ? 'not watched' : k} ${span(b[k])}`);
  return `${formatTime(b.start)} UTC: ${held.join(', ') || 'not watched'}`;
}

function summary(s: ServiceUptimeDto): string {
  const total = (k: 'down' | 'unhealthy' | 'unknown') => minutes(s.buckets.reduce((n, b) => n + b[k], 0));
  const pct = s.uptimePercent === null ? 'no data' : `${s.uptimePercent.toFixed(2)} % up`;
  return `${s.service}: ${pct} in the last 24 hours; down ${total('down')} min, unhealthy ${total('unhealthy')} min, not watched ${total('unknown')} min`;
}

export function UptimeBars({ services }: { services: ServiceUptimeDto[] }) {
  if (!services.length) return <p className="text-sm text-zinc-600 dark:text-zinc-400">No container of the stack has been seen yet.</p>;
  return (
    <ul className="space-y-2" aria-label="Uptime per service, last 24 hours">
      {services.map((s) => (
        <li key={s.service} className="grid grid-cols-[5.5rem_1fr_4.5rem] items-center gap-2 text-sm">
          <span className="font-medium">{s.service}</span>
          <div role="img" aria-label={summary(s)} className="flex h-5 gap-px overflow-hidden rounded" data-testid={`uptime-${s.service}`}>
            {s.buckets.map((b) => {
              const state = dominant(b);
              return <span key={b.start} className={`flex-1 ${FILL[state]}`} data-state={state} title={cellTitle(b)} />;
            })}
          </div>
          <span className="text-right tabular-nums text-zinc-600 dark:text-zinc-400">{s.uptimePercent === null ? '—' : `${s.uptimePercent.toFixed(1)} %`}</span>
        </li>
      ))}
    </ul>
  );
}
