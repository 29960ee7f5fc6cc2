'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { ActionResult } from '@/lib/action-result';
import type { OperationDto, PlanPreviewDto } from '@/lib/dto/operations';
import type { ContainerStatsListDto, ConvexAdminKeyDto, LiveOverviewDto } from '@/lib/dto/overview';
import type { PrePullStatusDto } from '@/lib/dto/pre-pull';
import { formatBytes, formatCpu, formatUptime } from '@/lib/format-usage';
import { formatTime } from '@/lib/format-time';
import { prePullWords } from '@/lib/pre-pull-text';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Cell, Table } from '@/components/ui/table';
import { useToast } from '@/components/ui/toast';
import { DatabaseInUseLine } from '@/components/external-database/database-in-use';
import { useEnvironment } from '@/components/shell/environment-context';
import { ConvexAdminKey } from './convex-admin-key';
import { DeployNewest, InitialiseHint } from './first-run';

const TONE: Record<string, 'good' | 'warn' | 'bad' | 'neutral'> = { healthy: 'good', running: 'good', starting: 'warn', unhealthy: 'bad', stopped: 'bad' };
const POLL_MS = 5_000;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(res.status === 401 ? 'Your session has ended. Sign in again.' : `The console answered HTTP ${res.status}.`);
  return (await res.json()) as T;
}

const card = 'rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900';

type Props = {
  initial: LiveOverviewDto;
  deployDir: string;
  initialised: boolean;
  canOperate: boolean;
  deploy: (input: unknown) => Promise<ActionResult<OperationDto>>;
  /** The deploy dialog's plan, for the first deploy's confirmation. */
  preview: (input: unknown) => Promise<ActionResult<PlanPreviewDto>>;
  /** Only for admins: the Convex dashboard's admin key. */
  convexAdminKey: (() => Promise<ActionResult<ConvexAdminKeyDto>>) | null;
  /** Only for admins: turns the background pre-pull on or off. */
  setPrePull: ((input: unknown) => Promise<ActionResult<PrePullStatusDto>>) | null;
};

/** The overview's live part: polled every few seconds, so it follows a deploy without reloads. */
export function LiveOverview({ initial, deployDir, initialised, canOperate, deploy, preview, convexAdminKey, setPrePull }: Props) {
  const router = useRouter();
  const toast = useToast();
  const [pending, start] = useTransition();
  // The page's environment: its reads, its keys (another environment's answer is never shown here) and its links.
  const { id: env, href } = useEnvironment();
  // The server's answer is fresh: the first poll comes after POLL_MS.
  const query = useQuery({
    queryKey: ['overview', env],
    queryFn: () => getJson<LiveOverviewDto>(href('/api/overview')),
    initialData: initial,
    staleTime: POLL_MS,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  // CPU and memory take Docker a second or two: asked for at once and on their own, so the status
  // never waits for them; until they come, the readings the server already knew stand.
  const statsQuery = useQuery({
    queryKey: ['overview-stats', env],
    queryFn: () => getJson<ContainerStatsListDto>(href('/api/overview/stats')),
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  const { status, registry, database } = query.data;
  // Older answers (a console being upgraded) have no prePull.
  const prePullState = query.data.prePull?.state ?? null;
  const prePull = prePullWords(query.data.prePull ?? null);
  const prePullEnabled = query.data.prePull?.enabled ?? null;
  const togglePrePull = () =>
    start(async () => {
      if (!setPrePull || prePullEnabled === null) return;
      const r = await setPrePull({ enabled: !prePullEnabled });
      if (!r.ok) toast(r.message, 'error');
      await query.refetch();
    });
  const prePullToggle = setPrePull && prePullEnabled !== null && (
    <button type="button" className="ml-2 text-indigo-600 underline dark:text-indigo-400" onClick={togglePrePull} disabled={pending} data-testid="pre-pull-toggle">
      {prePullEnabled ? 'Turn off background pre-pull' : 'Turn on background pre-pull'}
    </button>
  );
  // Stopped on purpose after a switch to an external database: not a failure while nothing uses it.
  const dbNotUsed =
    database !== null && database.configured.kind === 'external' && database.bundled.state === 'stopped' && !database.services.some((s) => s.use?.kind !== 'external');
  const stats = statsQuery.data?.stats ?? query.data.stats;
  // Uptimes count to the server's clock when it looked, never the renderer's own: the server's
  // render and the browser's hydration then print the same text (React #418 otherwise).
  const now = new Date(query.data.checkedAt);
  const deployed = status.containers.filter((c) => c.status !== 'not deployed');

  const upgrade = (version: string) =>
    start(async () => {
      const res = await deploy({ version });
      if (!res.ok) return toast(res.message, 'error');
      router.push(href(`/deployments/${res.data.id}`));
    });

  return (
    <>
      {query.isError && (
        <p role="alert" className="mb-4 text-sm text-red-600">
          The overview could not be refreshed: {query.error.message} Showing the last answer.
        </p>
      )}
      {!initialised && <InitialiseHint deployDir={deployDir} />}
      {initialised && canOperate && !status.activeColor && !status.running && registry.reachable && registry.newest && (
        <DeployNewest version={registry.newest} actions={{ preview, deploy }} />
      )}
      {registry.reachable && registry.newer && (
        <div data-testid="upgrade-banner" className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-lg border border-indigo-200 bg-indigo-50 p-4 text-sm dark:border-indigo-900 dark:bg-indigo-950">
          <span>
            Version <strong>{registry.newer}</strong> is available (live: {status.activeVersion}).
            {prePull && (
              <span data-testid="pre-pull" className="ml-2 text-zinc-600 dark:text-zinc-400">
                {prePull}
              </span>
            )}
            {prePullToggle}
          </span>
          {canOperate && !status.running && (
            <Button busy={pending} onClick={() => upgrade(registry.newer!)}>
              Upgrade to {registry.newer}
            </Button>
          )}
        </div>
      )}
      {!(registry.reachable && registry.newer) && prePull && (prePullState === 'pulling' || prePullState === 'failed' || prePullState === 'off') && (
        <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
          <span data-testid="pre-pull">{prePull}</span>
          {prePullToggle}
        </p>
      )}
      {registry.reachable &&
        registry.failedHere.map((f) => (
          <p key={f.version} data-testid="failed-release" className="mb-4 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm dark:border-amber-900 dark:bg-amber-950">
            Version <strong>{f.version}</strong> failed its health check on this host ({f.code}, {formatTime(f.at)}), so it is not offered as the upgrade.{' '}
            <Link className="text-indigo-600 underline dark:text-indigo-400" href={href(`/deployments/${f.operationId}`)}>
              See the failed deploy
            </Link>
            {canOperate && (
              <>
                {' '}
                or{' '}
                <Link className="text-indigo-600 underline dark:text-indigo-400" href={href(`/deployments?version=${encodeURIComponent(f.version)}#deploy`)}>
                  retry it on purpose
                </Link>
              </>
            )}
            .
          </p>
        ))}
      <dl className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <div className={card}>
          <dt className="text-sm text-zinc-500">Docker Engine</dt>
          <dd className="mt-1" data-testid="engine-status">
            {status.engine.reachable ? <Badge tone="good">Reachable · {status.engine.version}</Badge> : <Badge tone="bad">Unreachable: {status.engine.message}</Badge>}
          </dd>
        </div>
        <div className={card}>
          <dt className="text-sm text-zinc-500">Registry</dt>
          <dd className="mt-1 text-sm" data-testid="registry-status">
            {registry.reachable ? (
              <Badge tone="good">Reachable · newest {registry.newest ?? 'none'}</Badge>
            ) : (
              <Badge tone="bad">Unreachable: {registry.message}</Badge>
            )}
          </dd>
        </div>
        <div className={card}>
          <dt className="text-sm text-zinc-500">Live release</dt>
          <dd className="mt-1 text-sm" data-testid="live-release">
            {status.activeColor ? (
              <>
                <Badge tone="good">{status.activeColor}</Badge> version {status.activeVersion ?? 'unknown'}
                {status.previousVersion && <span className="text-zinc-500"> · previous {status.previousVersion}</span>}
              </>
            ) : (
              'Nothing deployed yet'
            )}
            {status.running && (
              <p className="mt-1">
                <Link data-testid="running-operation" className="text-indigo-600 underline dark:text-indigo-400" href={href(`/deployments/${status.running.id}`)}>
                  {status.running.kind} in progress
                </Link>
              </p>
            )}
          </dd>
        </div>
        <div className={card}>
          <dt className="text-sm text-zinc-500">Deployment directory</dt>
          <dd className="mt-1 space-y-1">
            <code className="block break-all font-mono text-sm">{deployDir}</code>
            {initialised ? <Badge tone="good">Initialised</Badge> : <Badge tone="warn">No tale.json yet</Badge>}
          </dd>
        </div>
      </dl>
      {database && (
        <div data-testid="overview-database" className="mb-4 flex flex-wrap items-center gap-2">
          <span className="text-sm text-zinc-500">Database</span>
          <DatabaseInUseLine state={database} />
        </div>
      )}
      {/* Without a project, the first-run hint above links to the form instead of the CLI's advice. */}
      {status.warnings.filter((w) => initialised || !w.includes('tale init')).map((w) => (
        <p key={w} className="mb-2 text-sm text-amber-700 dark:text-amber-400">
          {w}
        </p>
      ))}
      {convexAdminKey && status.activeColor && (
        <section className={`${card} mb-6`} aria-labelledby="convex-dashboard">
          <h2 id="convex-dashboard" className="mb-2 text-sm text-zinc-500">
            Convex dashboard
          </h2>
          <ConvexAdminKey generate={convexAdminKey} />
        </section>
      )}
      {deployed.length > 0 && (
        <Table head={['Service', 'Colour', 'Status', 'Version', 'Uptime', 'Restarts', 'CPU', 'Memory']}>
          {deployed.map((c) => {
            const s = stats[c.name];
            return (
              <tr key={c.name} data-testid="container-row">
                <Cell>
                  {c.service}
                  {c.active && c.color ? ' (live)' : ''}
                </Cell>
                <Cell>{c.color ?? '—'}</Cell>
                <Cell>
                  {c.service === 'db' && c.status === 'stopped' && dbNotUsed ? (
                    <Badge tone="neutral">stopped (not used)</Badge>
                  ) : (
                    <Badge tone={TONE[c.status] ?? 'neutral'}>{c.status}</Badge>
                  )}
                </Cell>
                <Cell>{c.version ?? '—'}</Cell>
                <Cell>{c.status === 'stopped' ? '—' : formatUptime(c.startedAt, now)}</Cell>
                <Cell>{c.restartCount ?? '—'}</Cell>
                <Cell>{formatCpu(s?.cpuPercent ?? null)}</Cell>
                <Cell>
                  {formatBytes(s?.memoryBytes ?? null)}
                  {s?.memoryLimitBytes ? <span className="text-zinc-500"> / {formatBytes(s.memoryLimitBytes)}</span> : null}
                </Cell>
              </tr>
            );
          })}
        </Table>
      )}
    </>
  );
}
