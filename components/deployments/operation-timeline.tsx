'use client';
import { useEffect, useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto, OperationEventDto } from '@/lib/dto/operations';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { LogViewer } from '@/components/logs/log-viewer';
import { formatBytes } from '@/lib/format-usage';
import { pullProgress } from '@/lib/pull-progress';
import { formatTime } from '@/lib/format-time';
import { withEnv } from '@/lib/env-href';
import { timelineRows } from '@/lib/operation-text';

const TONE = { succeeded: 'good', failed: 'bad', cancelled: 'warn', interrupted: 'warn', running: 'neutral' } as const;
const ROW_TONE: Record<string, string> = { failed: 'text-red-700 dark:text-red-400', warning: 'text-amber-700 dark:text-amber-400', skipped: 'text-zinc-500' };

type Props = { initial: OperationDto; canCancel: boolean; cancel: (id: unknown) => Promise<ActionResult<undefined>> };

/** The operation's steps as they happen, replayed in full after a reload or a reconnect. */
export function OperationTimeline({ initial, canCancel, cancel }: Props) {
  const [op, setOp] = useState(initial);
  const [events, setEvents] = useState<OperationEventDto[]>([]);
  const [pending, start] = useTransition();
  // The operation's own environment (the page redirects there), for its events and its links.
  const env = initial.environmentId;

  useEffect(() => {
    const es = new EventSource(withEnv(`/api/operations/${initial.id}/events`, env));
    es.addEventListener('step', (m) => {
      const e = JSON.parse((m as MessageEvent<string>).data) as OperationEventDto;
      setEvents((prev) => (prev.some((p) => p.seq === e.seq) ? prev : [...prev, e]));
    });
    es.addEventListener('end', (m) => {
      setOp(JSON.parse((m as MessageEvent<string>).data) as OperationDto);
      es.close();
    });
    return () => es.close();
  }, [initial.id, env]);

  const failure = [...events].reverse().find((e) => e.status === 'failed');
  const logs = (failure?.data?.logs as Array<{ stream: string; text: string }> | undefined) ?? [];
  // Pull readings become one bar per image; the list keeps the pull's start and end.
  // Byte counts of a backup or restore become one line for the part being copied.
  const isBytes = (e: OperationEventDto) => (e.step === 'backup' || e.step === 'restore' || e.step === 'drill') && e.status === 'progress';
  // One sentence per row; a container's or a health wait's progress updates its row in place.
  // An image found already here (pulled in the background) is said in a row: no bar moves for it.
  const rows = timelineRows(events.filter((e) => !(e.step === 'pull' && e.status === 'progress' && e.data?.status !== 'present') && !isBytes(e)));
  const lastBytes = op.status === 'running' ? [...events].reverse().find(isBytes) : undefined;
  const pulls = pullProgress(events);
  const first = events[0] ? Date.parse(events[0].at) : Date.parse(op.createdAt);
  // The colour being brought up, from the first container the start step names.
  const target = events
    .map((e) => (typeof e.data?.container === 'string' ? /-platform-(blue|green)(-next)?$/.exec(e.data.container)?.[1] : undefined))
    .find(Boolean);

  return (
    <div className="grid gap-6 xl:grid-cols-2">
    <div className="min-w-0 space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <span data-testid="operation-status">
          <Badge tone={TONE[op.status]}>{op.status}</Badge>
        </span>
        <span className="text-sm text-zinc-500" data-testid="operation-purpose">
          {op.purpose}: started by {op.actor ?? 'the system'} at {formatTime(op.createdAt)}
        </span>
        {op.status === 'running' && canCancel && (
          <Button variant="danger" busy={pending} onClick={() => start(async () => void (await cancel(op.id)))}>
            Cancel
          </Button>
        )}
      </div>
      {op.error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300" data-testid="operation-error">
          {op.error.code}: {op.error.message}
        </p>
      )}
      {pulls.length > 0 && (
        <ul className="space-y-1 text-xs" data-testid="pull-progress" aria-label="Image pulls">
          {pulls.map((p) => (
            <li key={p.image} className="grid grid-cols-[minmax(0,1fr)_8rem_6rem] items-center gap-2">
              <span className="truncate font-mono" title={p.image}>
                {p.image}
              </span>
              <progress className="h-2 w-full" max={1} value={p.fraction} aria-label={`Pull of ${p.image}`} />
              <span className="text-zinc-500">{p.done ? 'pulled' : `${Math.round(p.fraction * 100)} %`}</span>
            </li>
          ))}
        </ul>
      )}
      {lastBytes && (
        <p className="font-mono text-xs" data-testid="bytes-progress">
          {String(lastBytes.data?.item)}: {formatBytes(Number(lastBytes.data?.bytes ?? 0))} so far
        </p>
      )}
      {/* A grid, not fixed widths: a long phase label ("Infrastructure") wraps in its own column
          instead of running into the sentence. */}
      <ol className="space-y-1 text-xs" data-testid="timeline">
        {rows.map((r) => (
          <li key={r.key} className="grid grid-cols-[3.5rem_minmax(0,7.5rem)_minmax(0,1fr)] items-baseline gap-x-3" data-testid="timeline-row" data-status={r.status}>
            <span className="text-right font-mono text-zinc-500">+{((Date.parse(r.at) - first) / 1000).toFixed(1)}s</span>
            <span className="break-words font-semibold" data-testid="timeline-phase">{r.phase}</span>
            <span className={`break-words ${ROW_TONE[r.status] ?? 'text-zinc-700 dark:text-zinc-300'}`} data-testid="timeline-text">
              {r.text}
              {r.link && (
                <>
                  {' · '}
                  <a className="underline" href={withEnv(r.link.href, env)} data-testid="pre-upgrade-backup-link">
                    {r.link.label}
                  </a>
                </>
              )}
            </span>
          </li>
        ))}
      </ol>
      {logs.length > 0 && (
        <div>
          <h2 className="mb-1 text-sm font-semibold">Last log lines of {String(failure?.data?.container)}</h2>
          <pre tabIndex={0} className="max-h-80 overflow-auto rounded-md bg-zinc-950 p-3 text-xs text-zinc-100" data-testid="failure-logs">
            {logs.map((l) => `${l.stream === 'stderr' ? 'ERR ' : ''}${l.text}`).join('\n')}
          </pre>
        </div>
      )}
      {op.result && (
        <details>
          <summary className="cursor-pointer text-sm">Result</summary>
          <pre tabIndex={0} className="mt-2 overflow-auto rounded-md bg-zinc-100 p-3 text-xs dark:bg-zinc-900">{JSON.stringify(op.result, null, 2)}</pre>
        </details>
      )}
    </div>
    {target && op.status === 'running' && (
      <section aria-label={`Logs of the ${target} platform`} data-testid="target-logs" className="min-w-0">
        <h2 className="mb-2 text-sm font-semibold">platform ({target}) as it starts</h2>
        <LogViewer compact initial={{ service: 'platform', color: target, tail: '200' }} />
      </section>
    )}
    </div>
  );
}
