'use client';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HealthHistoryDto } from '@/lib/dto/health';
import { formatBytes, formatCpu } from '@/lib/format-usage';
import { formatTime } from '@/lib/format-time';
import { axisTime } from './health-links';

// CPU and memory per service (recharts). Colours read on both themes; the grid and axes take the
// text colour, so they follow the dark theme without a second palette.

const COLORS: Record<string, string> = { platform: '#818cf8', rag: '#34d399', crawler: '#fbbf24', convex: '#f472b6', db: '#38bdf8', proxy: '#a3a3a3' };

type Props = { series: HealthHistoryDto['series']; spansDays: boolean };

function Chart({ series, spansDays, metric, title }: Props & { metric: 'cpu' | 'memory'; title: string }) {
  const services = Object.keys(COLORS).filter((s) => series.points.some((p) => p[metric][s] !== null && p[metric][s] !== undefined));
  const data = series.points.map((p) => ({ at: p.at, ...p[metric] }));
  const readings = (s: string) => series.points.filter((p) => p[metric][s] !== null && p[metric][s] !== undefined).length;
  const format = metric === 'cpu' ? formatCpu : (v: number | null) => formatBytes(v);
  const id = `chart-${metric}`;
  return (
    <figure className="min-w-0" aria-labelledby={id} data-testid={id}>
      <figcaption id={id} className="mb-1 text-sm text-zinc-600 dark:text-zinc-400">
        {title}
        {services.length === 0 && ' — no readings in this range yet'}
      </figcaption>
      <div className="h-56 text-zinc-500 dark:text-zinc-400">
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: 8 }} accessibilityLayer>
            <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
            <XAxis dataKey="at" tickFormatter={(v: string) => axisTime(v, spansDays)} stroke="currentColor" fontSize={11} minTickGap={40} />
            <YAxis tickFormatter={(v: number) => format(v)} stroke="currentColor" fontSize={11} width={64} />
            <Tooltip
              labelFormatter={(v) => `${formatTime(String(v))} UTC`}
              formatter={(v) => format(typeof v === 'number' ? v : null)}
              contentStyle={{ background: '#18181b', border: '1px solid #3f3f46', color: '#f4f4f5', fontSize: 12 }}
              labelStyle={{ color: '#f4f4f5' }}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {services.map((s) => (
              // Few readings (a new install, a range just begun): dots, or isolated readings between holes would not show.
              <Line key={s} type="monotone" dataKey={s} name={s} stroke={COLORS[s]} dot={readings(s) < 60 ? { r: 2, fill: COLORS[s] } : false} strokeWidth={1.5} isAnimationActive={false} connectNulls={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function ResourceCharts(props: Props) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Chart {...props} metric="cpu" title="CPU (percent of one core)" />
      <Chart {...props} metric="memory" title="Memory" />
    </div>
  );
}
