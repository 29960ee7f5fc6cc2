'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { useEnvironment } from '@/components/shell/environment-context';
import { readAction } from '@/lib/call-action';
import type { CopyEventDto, CopyStatusDto, CopySummaryDto } from '@/lib/dto/external-database';
import { formatBytes } from '@/lib/format-usage';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { CancelConfirmButtons } from '@/components/ui/cancel-confirm-buttons';
import { Dialog } from '@/components/ui/dialog';
import { Cell, Table } from '@/components/ui/table';
import { useAction } from '@/components/ui/use-action';

// Optional wizard step between Prepare and Configure: copy the bundled db's data onto the prepared
// server. The copy runs on the server as a `database-copy` operation; this step starts it, polls
// the status read from the operation's events once a second (a copy is minutes at most, and one
// status is a few hundred bytes) and links to the operation's timeline in the history.

type Action<T> = (input: unknown) => Promise<ActionResult<T>>;

type Props = {
  /** The copy's input except the confirmation: the admin connection, role and role password. */
  input: Record<string, unknown>;
  actions: { copy: Action<{ id: string }>; status: Action<CopyStatusDto> };
  onBack: () => void;
  onNext: () => void;
};

const POLL_MS = 1000;

function eventLine(e: CopyEventDto): string {
  switch (e.type) {
    case 'database-started':
      return 'starting…';
    case 'progress':
      return `${formatBytes(e.bytes)} read, ${e.objects} objects created, ${e.rows} rows copied…`;
    case 'database-finished':
      return `done: ${formatBytes(e.bytes)}, ${e.objects} objects, ${e.rows} rows`;
    case 'failed':
    case 'refused':
      return e.message;
  }
}

/** Once the summary is there it says why the copy failed: the database's line only marks where. */
function progressLine(e: CopyEventDto, summarised: boolean): string {
  return summarised && (e.type === 'failed' || e.type === 'refused') ? (e.type === 'failed' ? 'failed' : 'refused') : eventLine(e);
}

function Summary({ summary }: { summary: CopySummaryDto }) {
  if (summary.refused.length > 0) {
    return (
      <div className="space-y-1 text-sm text-red-600" role="alert">
        <p>Nothing was copied:</p>
        <ul className="list-disc pl-5">
          {summary.refused.map((r) => (
            <li key={r.database}>{r.message}</li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className="space-y-2">
      {summary.failure && (
        <p className="text-sm text-red-600" role="alert" data-testid="copy-failure">
          {summary.failure}
        </p>
      )}
      {/* Nothing was compared (the copy failed before any count could be read): no empty table. */}
      {(summary.ok || summary.tables.length > 0) && <Comparison summary={summary} />}
    </div>
  );
}

function Comparison({ summary }: { summary: CopySummaryDto }) {
  return (
    <>
      <p className="text-sm" role="status" data-testid="copy-status">
        {summary.ok ? 'Copied: every table has as many rows on the external server as in the bundled db.' : 'The copy is incomplete: see the tables that differ.'}
      </p>
      <Table head={['Database', 'Table', 'Bundled db', 'External server', '']}>
        {summary.tables.map((t) => (
          <tr key={`${t.database}/${t.schema}.${t.table}`}>
            <Cell>{t.database}</Cell>
            <Cell>
              {t.schema}.{t.table}
            </Cell>
            <Cell>{t.sourceRows ?? '—'}</Cell>
            <Cell>{t.targetRows ?? '—'}</Cell>
            <Cell>
              <Badge tone={t.match ? 'good' : 'bad'}>{t.match ? 'same' : 'differs'}</Badge>
            </Cell>
          </tr>
        ))}
      </Table>
    </>
  );
}

export function CopyDataStep({ input, actions, onBack, onNext }: Props) {
  const { href } = useEnvironment();
  const { busy, run, failure } = useAction();
  const [confirm, setConfirm] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const [status, setStatus] = useState<CopyStatusDto | null>(null);
  const running = jobId !== null && status?.state !== 'done';
  const fetchStatus = actions.status;

  useEffect(() => {
    if (!running) return;
    let stopped = false;
    const timer = setInterval(async () => {
      const res = await readAction(() => fetchStatus({ id: jobId }));
      if (stopped) return;
      // A lost connection says nothing about the copy, which runs on: the next tick asks again.
      if (!res.ok && res.code === 'CONNECTION_LOST') return;
      if (res.ok) setStatus(res.data);
      else setStatus({ id: jobId!, state: 'done', events: [], summary: { ok: false, refused: [], failure: res.message, tables: [] } });
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [running, jobId, fetchStatus]);

  return (
    <div className="space-y-3">
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Optional: copy tale_platform and tale_knowledge from the bundled db onto the prepared server before switching. pg_dump and psql run
        inside the bundled db container, which must reach the external server at the address you connected to. Stop Tale&apos;s services
        first for a consistent copy; nothing on the external server is overwritten (a database that already has tables is refused).
      </p>
      {status && (
        <ul className="space-y-1 text-sm" aria-label="Copy progress">
          {status.events.map((e) => (
            <li key={`${e.database}:${e.type === 'refused' ? 'r' : ''}`}>
              <span className="font-medium">{e.database}</span>: {progressLine(e, Boolean(status.summary))}
            </li>
          ))}
        </ul>
      )}
      {running && <p className="text-sm">Copying…</p>}
      {jobId && (
        <p className="text-sm">
          <Link href={href(`/deployments/${jobId}`)} className="underline" target="_blank">
            This copy in the operations history
          </Link>
        </p>
      )}
      {status?.summary && <Summary summary={status.summary} />}
      {failure && !confirm && (
        <p role="alert" data-testid="step-error" className="text-sm text-red-600">
          {failure}
        </p>
      )}
      <div className="flex gap-2">
        <Button variant="secondary" disabled={running} onClick={onBack}>
          Back
        </Button>
        <Button variant="secondary" disabled={running || busy} onClick={() => setConfirm(true)}>
          Copy existing data…
        </Button>
        <Button disabled={running} onClick={onNext}>
          {status?.summary?.ok ? 'Next: configure' : 'Skip: configure'}
        </Button>
      </div>

      <Dialog open={confirm} title="Copy the bundled database?" onClose={() => setConfirm(false)}>
        <div className="space-y-4">
          <p>
            The data of tale_platform and tale_knowledge in the bundled db is copied to the external server as the service role, one
            database at a time, each all or nothing. The bundled db is only read. A database on the external server that already has
            tables is left as it is and the copy refused.
          </p>
          {failure && (
            <p role="alert" className="text-sm text-red-600">
              {failure}
            </p>
          )}
          <CancelConfirmButtons
            onCancel={() => setConfirm(false)}
            busy={busy}
            onConfirm={() =>
              run(actions.copy, { ...input, confirm: true }, (d) => {
                setConfirm(false);
                setStatus(null);
                setJobId(d.id);
              })
            }
          >
            Copy
          </CancelConfirmButtons>
        </div>
      </Dialog>
    </div>
  );
}
