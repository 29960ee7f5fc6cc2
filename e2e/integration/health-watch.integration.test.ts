import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthHistoryDto, HealthIncidentDto } from '@/lib/dto/health';
import { createDeployment, type Deployment } from '../fixtures/deployment';
import { ensureFixtureImages } from '../fixtures/fixture-images';
import { docker } from '../fixtures/run-command';
import { startConsole, type RunningConsole } from '../support/console';
import { makeUnhealthy, startWatchedStandIns, type WatchedStandIns } from '../support/watched-stand-ins';
import { healthHistory, historyUntil } from '../support/health-history-poll';

// The health watcher against the real Docker Engine and a real console process: two of the
// stack's containers (the stand-ins, labelled as compose labels them) are killed, made unhealthy,
// and changed while the console is down; the history says so through the API.

let deployment: Deployment;
let app: RunningConsole | null = null;
let dataDir: string;
let names: WatchedStandIns;

beforeAll(async () => {
  await ensureFixtureImages();
  deployment = await createDeployment({ prefix: 'hw-watch' });
  names = await startWatchedStandIns(deployment);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-console-hw-'));
  app = await startConsole({ deployDir: deployment.dir, dataDir });
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await deployment?.dispose();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const until = <T>(what: string, find: (h: HealthHistoryDto) => T | undefined) => historyUntil(() => app!, 'health-watch', what, find);

const incident = (h: HealthHistoryDto, container: string, match: (i: HealthIncidentDto) => boolean) => h.incidents.find((i) => i.container === container && match(i));

describe('the health watcher', () => {
  it('records a killed container and one made unhealthy', async () => {
    await until('the watcher listening', (h) => h.watcher.listening || undefined);
    await docker(['kill', names.rag]);
    const killed = await until('the kill', (h) => incident(h, names.rag, (i) => i.kind === 'kill'));
    expect(killed).toMatchObject({ service: 'rag', color: 'blue', exitCode: 137, signal: expect.stringMatching(/^(9|SIGKILL|KILL)$/), state: 'down', reconciled: false });

    await makeUnhealthy(names.platform);
    const sick = await until('the unhealthy platform', (h) => incident(h, names.platform, (i) => i.kind === 'health' && i.state === 'unhealthy'));
    expect(sick).toMatchObject({ service: 'platform', health: 'unhealthy', reconciled: false });

    const h = await healthHistory(app!);
    const bar = (service: string) => h.uptime.services.find((s) => s.service === service)!;
    const total = (service: string, k: 'down' | 'unhealthy') => bar(service).buckets.reduce((n, b) => n + b[k], 0);
    expect(total('rag', 'down')).toBeGreaterThan(0);
    expect(total('platform', 'unhealthy')).toBeGreaterThan(0);
    // The stand-ins were sampled (CPU and memory every 10 s).
    await until('a CPU and memory sample', (hh) => hh.series.points.some((p) => p.memory.platform !== null) || undefined);
  });

  it('marks the time the console was down as a gap, and records what died meanwhile', async () => {
    await app!.stop();
    app = null;
    const down = Date.now();
    // While nobody listens: platform is killed, rag started again.
    await docker(['kill', names.platform]);
    await docker(['start', names.rag]);
    app = await startConsole({ deployDir: deployment.dir, dataDir });
    const gap = await until('the gap', (h) => h.incidents.find((i) => i.kind === 'gap'));
    expect(Date.parse(gap.at)).toBeLessThanOrEqual(down);
    expect(Date.parse(gap.until!)).toBeGreaterThan(down);
    const died = await until('the death found after the gap', (h) => incident(h, names.platform, (i) => i.reconciled));
    expect(died).toMatchObject({ kind: 'die', exitCode: 137, state: 'down' });
    const back = await until('rag found running again', (h) => incident(h, names.rag, (i) => i.reconciled));
    expect(back).toMatchObject({ kind: 'start', state: 'up' });
    // The gap is neither up nor down in the bars.
    const h = await healthHistory(app!);
    expect(h.uptime.services.find((s) => s.service === 'platform')!.buckets.reduce((n, b) => n + b.unknown, 0)).toBeGreaterThan(0);
  });
});
