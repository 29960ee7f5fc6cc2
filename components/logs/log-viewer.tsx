'use client';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { LogLineDto, LogMarkerDto, LogStatusDto } from '@/lib/dto/logs';
import { LOG_SERVICES } from '@/lib/schemas/logs';
import { Button } from '@/components/ui/button';
import { Input, Select } from '@/components/ui/input';
import { Badge } from '@/components/ui/badge';
import { cx } from '@/components/ui/cx';
import { useEnvironment } from '@/components/shell/environment-context';
import { AnsiLine } from './ansi-line';
import { appendBounded, isMarker, markerText, matchesFilter, type LogRow } from './log-buffer';

const WINDOW = 100_000;
const ROW_HEIGHT = 18;
const ROTATABLE = new Set(['platform', 'rag', 'crawler']);

type Source = { service: string; color: string; tail: string; since: string; until: string; follow: boolean; q: string };
type Connection = 'connecting' | 'live' | 'reconnecting' | 'done' | 'error';

function sourceParams(s: Source): URLSearchParams {
  const p = new URLSearchParams({ service: s.service, tail: s.tail || '500', follow: s.follow ? '1' : '0' });
  if (s.color && ROTATABLE.has(s.service)) p.set('color', s.color);
  if (s.since) p.set('since', s.since);
  if (s.until) p.set('until', s.until);
  if (s.q) p.set('q', s.q);
  return p;
}

type ViewerProps = {
  /** Where to start; the person can change it unless the viewer is compact. */
  initial?: Partial<Source>;
  /** Just the lines and their status, for a panel beside something else. */
  compact?: boolean;
};

export function LogViewer({ initial, compact = false }: ViewerProps = {}) {
  const [draft, setDraft] = useState<Source>({ service: 'platform', color: '', tail: '500', since: '', until: '', follow: true, q: '', ...initial });
  const [source, setSource] = useState<Source>(draft);
  const [lines, setLines] = useState<LogRow[]>([]);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [problem, setProblem] = useState<string | null>(null);
  const [states, setStates] = useState<Record<string, LogStatusDto['state']>>({});
  const [paused, setPaused] = useState(false);
  const [held, setHeld] = useState(0);
  const [filter, setFilter] = useState('');
  const [stream, setStream] = useState<'both' | 'stdout' | 'stderr'>('both');
  const [timestamps, setTimestamps] = useState(true);
  const [stick, setStick] = useState(true);
  // The containers of the page's environment (the URL's ?env=); another environment is another stream.
  const { href } = useEnvironment();

  // Lines arrive far faster than frames; they queue here and reach React once per frame.
  const incoming = useRef<LogRow[]>([]);
  const heldLines = useRef<LogRow[]>([]);
  const pausedRef = useRef(false);
  const frame = useRef<number | null>(null);

  const flush = useCallback(() => {
    frame.current = null;
    const batch = incoming.current;
    incoming.current = [];
    if (!batch.length) return;
    if (pausedRef.current) {
      heldLines.current = appendBounded(heldLines.current, batch, WINDOW);
      setHeld(heldLines.current.length);
      return;
    }
    setLines((prev) => appendBounded(prev, batch, WINDOW));
  }, []);

  useEffect(() => {
    setLines([]);
    setStates({});
    setProblem(null);
    setConnection('connecting');
    const es = new EventSource(href(`/api/logs/stream?${sourceParams(source)}`));
    es.addEventListener('open', () => setConnection('live'));
    es.addEventListener('lines', (e) => {
      incoming.current.push(...(JSON.parse((e as MessageEvent<string>).data) as LogLineDto[]));
      frame.current ??= requestAnimationFrame(flush);
    });
    // Queued with the lines, so it lands after the old container's and before the new one's.
    es.addEventListener('marker', (e) => {
      incoming.current.push({ ...(JSON.parse((e as MessageEvent<string>).data) as LogMarkerDto), marker: true });
      frame.current ??= requestAnimationFrame(flush);
    });
    es.addEventListener('status', (e) => {
      const s = JSON.parse((e as MessageEvent<string>).data) as LogStatusDto;
      setStates((prev) => ({ ...prev, [s.service]: s.state }));
    });
    es.addEventListener('failure', (e) => setProblem((JSON.parse((e as MessageEvent<string>).data) as { message: string }).message));
    // The server ends the stream on purpose (history read, containers gone): do not reconnect.
    es.addEventListener('end', () => {
      es.close();
      setConnection('done');
    });
    es.addEventListener('error', () => {
      if (es.readyState === EventSource.CLOSED) {
        setConnection('error');
        setProblem('The log stream could not be opened. Check that the stack is deployed and you are signed in.');
      } else setConnection('reconnecting');
    });
    return () => {
      es.close();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = null;
      incoming.current = [];
    };
  }, [source, flush, href]);

  const togglePause = () => {
    pausedRef.current = !pausedRef.current;
    setPaused(pausedRef.current);
    if (!pausedRef.current) {
      const release = heldLines.current;
      heldLines.current = [];
      setHeld(0);
      setLines((prev) => appendBounded(prev, release, WINDOW));
    }
  };

  const needle = filter.trim().toLowerCase();
  const visible = useMemo(
    () => (needle || stream !== 'both' ? lines.filter((l) => matchesFilter(l, stream, needle)) : lines),
    [lines, needle, stream],
  );
  const lineCount = useMemo(() => visible.reduce((n, row) => (isMarker(row) ? n : n + 1), 0), [visible]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: visible.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 30 });

  // Rows have a fixed height, so the total height is known at once and the newest line can be
  // brought into view right after each render.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (stick && el) el.scrollTop = el.scrollHeight;
  }, [visible.length, stick]);

  // Only the person scrolling away from the bottom stops the follow; our own scrolling must not.
  const userScroll = useRef(0);
  const markUserScroll = () => (userScroll.current = Date.now());
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
    if (atBottom) setStick(true);
    else if (Date.now() - userScroll.current < 500) setStick(false);
  };

  const download = href(
    `/api/logs/download?${(() => {
      const p = sourceParams({ ...source, follow: false });
      if (stream !== 'both') p.set('stream', stream);
      if (needle) p.set('q', needle);
      return p;
    })()}`,
  );

  return (
    <div className={cx('flex flex-col gap-3', compact ? 'h-[60vh]' : 'h-[calc(100vh-8rem)]')}>
      {!compact && (
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          setSource({ ...draft });
        }}
      >
        <label className="text-xs">
          Service
          <Select aria-label="Service" value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })}>
            {LOG_SERVICES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            <option value="all">all services</option>
          </Select>
        </label>
        <label className="text-xs">
          Colour
          <Select
            aria-label="Colour"
            value={draft.color}
            disabled={!ROTATABLE.has(draft.service) && draft.service !== 'all'}
            onChange={(e) => setDraft({ ...draft, color: e.target.value })}
          >
            <option value="">active</option>
            <option value="blue">blue</option>
            <option value="green">green</option>
          </Select>
        </label>
        <label className="w-24 text-xs">
          Tail
          <Input aria-label="Tail" inputMode="numeric" value={draft.tail} onChange={(e) => setDraft({ ...draft, tail: e.target.value })} />
        </label>
        <label className="w-40 text-xs">
          Since
          <Input aria-label="Since" placeholder="15m, 2h or a UTC time" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
        </label>
        <label className="w-40 text-xs">
          Until
          <Input aria-label="Until" placeholder="a UTC time" value={draft.until} onChange={(e) => setDraft({ ...draft, until: e.target.value })} />
        </label>
        <label className="w-44 text-xs">
          Search history
          <Input aria-label="Search history" placeholder="server-side" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
        </label>
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input type="checkbox" checked={draft.follow} onChange={(e) => setDraft({ ...draft, follow: e.target.checked })} />
          Follow
        </label>
        <Button type="submit" variant="secondary">
          Show
        </Button>
      </form>
      )}

      <div className={cx('flex flex-wrap items-center gap-3 text-sm', compact && 'hidden')}>
        <Input aria-label="Filter" placeholder="Filter loaded lines" className="w-56" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <Select aria-label="Stream" className="w-32" value={stream} onChange={(e) => setStream(e.target.value as typeof stream)}>
          <option value="both">stdout + stderr</option>
          <option value="stdout">stdout</option>
          <option value="stderr">stderr</option>
        </Select>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />
          Timestamps
        </label>
        <Button type="button" variant="secondary" onClick={togglePause}>
          {paused ? `Resume (${held} new)` : 'Pause'}
        </Button>
        {!stick && (
          <Button type="button" variant="secondary" onClick={() => setStick(true)}>
            Jump to newest
          </Button>
        )}
        <a className="text-indigo-600 underline dark:text-indigo-400" href={download} download>
          Download
        </a>
      </div>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="ml-auto flex items-center gap-2 text-xs text-zinc-500" data-testid="log-status">
          <Badge tone={connection === 'live' ? 'good' : connection === 'error' ? 'bad' : 'neutral'}>{connection}</Badge>
          {Object.entries(states).map(([svc, st]) => (
            <Badge key={svc} tone={st === 'running' ? 'good' : 'warn'}>{`${svc}: ${st}`}</Badge>
          ))}
          <span data-testid="line-count">{lineCount.toLocaleString('en')}</span> lines
        </span>
      </div>
      {problem && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
          {problem}
        </p>
      )}

      <div
        ref={scroller}
        onScroll={onScroll}
        onWheel={markUserScroll}
        onPointerDown={markUserScroll}
        onTouchMove={markUserScroll}
        onKeyDown={markUserScroll}
        tabIndex={0}
        data-testid="log-scroller"
        className="min-h-0 flex-1 overflow-auto rounded-lg border border-zinc-200 bg-zinc-950 font-mono text-xs text-zinc-100 dark:border-zinc-800"
      >
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((row) => {
            const line = visible[row.index]!;
            if (isMarker(line)) {
              return (
                <div
                  key={row.key}
                  data-testid="log-marker"
                  className="absolute left-0 flex w-full items-center gap-2 whitespace-pre border-y border-sky-700 bg-sky-950/60 px-3 font-semibold text-sky-300"
                  style={{ height: ROW_HEIGHT, transform: `translateY(${row.start}px)` }}
                >
                  {timestamps && <span className="font-normal text-zinc-400">{line.ts.slice(0, 23).replace('T', ' ')}</span>}
                  {source.service === 'all' && <span>{line.service}:</span>}
                  <span>{markerText(line)}</span>
                </div>
              );
            }
            return (
              <div
                key={row.key}
                data-testid="log-line"
                data-stream={line.stream}
                className={cx('absolute left-0 w-full whitespace-pre px-3', line.stream === 'stderr' && 'bg-red-950/40')}
                style={{ height: ROW_HEIGHT, transform: `translateY(${row.start}px)` }}
              >
                {timestamps && <span className="mr-2 text-zinc-400">{line.ts.slice(0, 23).replace('T', ' ')}</span>}
                <span className={cx('mr-2', line.stream === 'stderr' ? 'text-red-400' : 'text-zinc-400')}>{line.stream === 'stderr' ? 'ERR' : 'OUT'}</span>
                {source.service === 'all' && <span className="mr-2 text-sky-400">{line.service}</span>}
                <AnsiLine text={line.text} />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
