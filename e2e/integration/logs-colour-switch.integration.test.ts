import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LogLineDto, LogMarkerDto, LogStatusDto } from '@/lib/dto/logs';
import type { OperationDto } from '@/lib/dto/operations';
import { allImageRefs } from '../fixtures/registry';
import { GOOD_VERSION, NEXT_VERSION } from '../fixtures/versions';
import { prepareTestBedDeployment, type ConsoleDeployment } from '../support/console-deployment';
import { startConsole, type RunningConsole } from '../support/console';
import { followToEnd, readSse, type SseEvent } from '../support/sse-client';

// Following the platform's log with colour "active" through an upgrade the console runs: the view
// moves to the new colour with a mark, shows the new container's start-up lines (written before
// the switch) once, and a reconnect resumes from either side of the move without repeating any.

let bed: ConsoleDeployment;
let app: RunningConsole;

beforeAll(async () => {
  bed = await prepareTestBedDeployment(allImageRefs([GOOD_VERSION, NEXT_VERSION]), { prefix: 'lg-switch', extraEnv: { HEALTH_CHECK_TIMEOUT: '120', DRAIN_TIMEOUT: '5' } });
  app = await startConsole({ deployDir: bed.deployment.dir });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await bed?.dispose();
});

async function deploy(version: string): Promise<OperationDto> {
  const res = await fetch(`${app.baseURL}/api/v1/deployments`, {
    method: 'POST',
    headers: { Cookie: app.cookie, Origin: app.baseURL, 'Content-Type': 'application/json' },
    // Upgrades here are not about the backup gate (backup-gate.integration.test.ts): skipped with a reason.
    body: JSON.stringify({ version, skipBackup: { reason: 'the backup gate has its own test' } }),
  });
  expect(res.status).toBe(202);
  const op = (await res.json()) as OperationDto;
  return (await followToEnd(`${app.baseURL}/api/operations/${op.id}/events`, { cookie: app.cookie, timeoutMs: 280_000, context: () => app.output().slice(-2000) })).end;
}

const logUrl = (params: Record<string, string>) => `${app.baseURL}/api/logs/stream?${new URLSearchParams(params)}`;
const linesOf = (e: SseEvent) => (e.event === 'lines' ? (JSON.parse(e.data) as LogLineDto[]) : []);
// The stand-in's start-up lines (e2e/fixtures/standin/server.mjs), for the new version.
const STARTUP = [/starting tale-platform 1\.1\.0 /, /listening on :3000$/, /ready.* version 1\.1\.0$/];
const startupCounts = (lines: LogLineDto[]) => STARTUP.map((re) => lines.filter((l) => re.test(l.text)).length);
// The stand-in writes `tick <n>` once a second, from its start.
const ticks = (lines: LogLineDto[]) => lines.flatMap((l) => /tick (\d+)/.exec(l.text)?.[1] ?? []).map(Number);

/** The history of the active colour after a cursor: follow=0 ends once it is read. */
async function readAfter(lastEventId: string): Promise<LogLineDto[]> {
  const lines: LogLineDto[] = [];
  const status = await readSse(logUrl({ service: 'platform', follow: '0' }), {
    cookie: app.cookie,
    lastEventId,
    signal: AbortSignal.timeout(60_000),
    onEvent: (e) => (lines.push(...linesOf(e)), e.event === 'end' ? 'stop' : undefined),
  });
  expect(status).toBe(200);
  return lines;
}

it('moves the follow of the active colour to the new container with a mark, and shows its start-up lines once', async () => {
  expect((await deploy(GOOD_VERSION)).status).toBe('succeeded');
  const green = `${bed.deployment.id}-platform-green`;

  const events: SseEvent[] = [];
  let upgrade: Promise<OperationDto> | undefined;
  let upgradeStarted = 0;
  let movedAt = 0;
  const status = await readSse(logUrl({ service: 'platform', tail: '5' }), {
    cookie: app.cookie,
    signal: AbortSignal.timeout(240_000),
    onEvent: (e) => {
      events.push(e);
      // Upgrade once the view follows blue.
      if (e.event === 'lines' && !upgrade) {
        upgradeStarted = Date.now();
        upgrade = deploy(NEXT_VERSION);
      }
      if (e.event === 'status') {
        const s = JSON.parse(e.data) as LogStatusDto;
        if (s.container === green && s.state === 'running') movedAt ||= Date.now();
      }
      // Done once green's lines come live: written after the follow moved to it.
      return movedAt && linesOf(e).some((l) => Date.parse(l.ts) > movedAt) ? 'stop' : undefined;
    },
  });
  expect(status).toBe(200);
  expect((await upgrade)?.status).toBe('succeeded');

  const markers = events.filter((e) => e.event === 'marker');
  expect(markers.map((e) => JSON.parse(e.data) as LogMarkerDto)).toEqual([{ ts: expect.any(String), service: 'platform', container: green, version: NEXT_VERSION }]);
  const at = events.indexOf(markers[0]!);
  const before = events.slice(0, at).flatMap(linesOf);
  const after = events.slice(at).flatMap(linesOf);
  expect(startupCounts(before)).toEqual([0, 0, 0]);
  expect(startupCounts(after)).toEqual([1, 1, 1]);
  // Every tick green wrote, from its first, once.
  const greenTicks = ticks(after);
  expect(greenTicks).toEqual(greenTicks.map((_, i) => i + 1));
  const marker = JSON.parse(markers[0]!.data) as LogMarkerDto;
  const fromBeforeTheMove = after.filter((l) => l.ts < marker.ts).length;
  console.log(
    `[logs switch] the follow moved ${movedAt - upgradeStarted} ms after the upgrade started; green had written ${fromBeforeTheMove} of its lines before it (shown after the mark), ${after.length} green lines in all`,
  );

  // A reconnect right after the mark reads green from its start; one after the last line, only what followed.
  expect(markers[0]!.id).toBeTruthy();
  const fromMark = await readAfter(markers[0]!.id!);
  expect(startupCounts(fromMark)).toEqual([1, 1, 1]);
  expect(ticks(fromMark).slice(0, greenTicks.length)).toEqual(greenTicks);
  const lastId = events.findLast((e) => e.event === 'lines' && e.id)?.id;
  expect(lastId).toBeTruthy();
  const rest = await readAfter(lastId!);
  expect(startupCounts(rest)).toEqual([0, 0, 0]);
  const restTicks = ticks(rest);
  expect(restTicks).toEqual(restTicks.map((_, i) => greenTicks.length + 1 + i));
});
