import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChannelDto } from '@/lib/dto/alerts';
import type { HealthHistoryDto, HealthIncidentDto } from '@/lib/dto/health';
import { createDeployment, type Deployment } from '../fixtures/deployment';
import { ensureFixtureImages } from '../fixtures/fixture-images';
import { docker } from '../fixtures/run-command';
import { startSmtpServer, startWebhookReceiver, type ReceivedMail, type WebhookRequest } from '../support/alert-receivers';
import { startConsole, type RunningConsole } from '../support/console';
import { makeHealthy, makeUnhealthy, startWatchedStandIns, type WatchedStandIns } from '../support/watched-stand-ins';
import { historyUntil } from '../support/health-history-poll';

// The health and disk alerts end to end: the real Docker Engine, a built console whose health
// watcher feeds the alerts hub (ALERT_HEALTH_THRESHOLD_SECONDS=10 instead of 5 min), a real SMTP
// server with AUTH and an HTTP receiver that checks the signature. Two stand-ins of the stack:
// platform is made unhealthy, rag is killed (no restart policy: it stays down). Each episode must
// give exactly one signed webhook and one email, not before the threshold; a recovery re-arms.
// Then the disk alert on an 8 MB tmpfs watched through ALERT_DISK_PATH, checked every 2 s.

const THRESHOLD_S = 10;
const CHECK_S = 2;
const SECRET = 'whsec-a2-health-0123456789abcdef';
const SMTP_PASSWORD = 'smtp-a2-health-password-42';
const EVENTS = ['container.unhealthy', 'container.restarting', 'disk.threshold'] as const;
type Kind = (typeof EVENTS)[number];

let deployment: Deployment;
let names: WatchedStandIns;
let app: RunningConsole;
let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let mountPoint: string;
let mounted = false;

beforeAll(async () => {
  await ensureFixtureImages();
  hook = await startWebhookReceiver(SECRET);
  smtp = await startSmtpServer('tale', SMTP_PASSWORD);
  deployment = await createDeployment({ prefix: 'a2-alerts' });
  names = await startWatchedStandIns(deployment);
  mountPoint = fs.mkdtempSync(path.join(os.tmpdir(), 'a2-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'a2-tmpfs', mountPoint]);
  mounted = true;
  app = await startConsole({
    deployDir: deployment.dir,
    env: { ALERT_HEALTH_THRESHOLD_SECONDS: String(THRESHOLD_S), ALERT_DISK_PATH: mountPoint, ALERT_CHECK_SECONDS: String(CHECK_S) },
  });
  for (const channel of [
    { kind: 'webhook', name: 'ops hook', events: EVENTS, url: hook.url, secret: SECRET },
    { kind: 'email', name: 'ops mail', events: EVENTS, host: '127.0.0.1', port: smtp.port, security: 'none', user: 'tale', password: SMTP_PASSWORD, from: 'tale@example.com', to: ['ops@example.com'] },
  ]) {
    const res = await fetch(`${app.baseURL}/api/v1/alerts/channels`, { method: 'POST', headers: { Cookie: app.cookie, Origin: app.baseURL, 'Content-Type': 'application/json' }, body: JSON.stringify(channel) });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(((await res.json()) as AlertChannelDto).events).toEqual([...EVENTS]);
  }
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await deployment?.dispose();
  await hook?.stop();
  await smtp?.stop();
  if (mountPoint) {
    try {
      if (mounted) execFileSync('umount', [mountPoint]);
    } finally {
      fs.rmSync(mountPoint, { recursive: true, force: true });
    }
  }
}, 120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const until = <T>(what: string, find: (h: HealthHistoryDto) => T | undefined) => historyUntil(() => app, 'alerts-health', what, find, 300);

const incident = (h: HealthHistoryDto, container: string, after: number, match: (i: HealthIncidentDto) => boolean) => h.incidents.find((i) => i.container === container && Date.parse(i.at) >= after && match(i));

/** The mail's text without quoted-printable soft line breaks. */
const mailText = (m: ReceivedMail) => m.raw.replace(/=\r?\n/g, '');
const hooks = (kind: Kind): WebhookRequest[] => hook.requests.filter((r) => r.json.event === kind);
const mails = (kind: Kind): ReceivedMail[] => smtp.mails.filter((m) => mailText(m).includes(`Event: ${kind}\n`) || mailText(m).includes(`Event: ${kind}\r\n`));
const counts = () => Object.fromEntries(EVENTS.map((k) => [k, [hooks(k).length, mails(k).length]]));

/** Waits until `kind` has reached `n` webhooks and `n` emails; answers the n-th of each. */
async function delivered(kind: Kind, n: number): Promise<{ hook: WebhookRequest; mail: ReceivedMail }> {
  await expect.poll(() => Math.min(hooks(kind).length, mails(kind).length), { timeout: 90_000, interval: 250 }).toBeGreaterThanOrEqual(n);
  return { hook: hooks(kind)[n - 1]!, mail: mails(kind)[n - 1]! };
}

function report(what: string, eventAt: number, d: { hook: WebhookRequest; mail: ReceivedMail }, note = `threshold ${THRESHOLD_S} s`): void {
  console.log(`[alerts-health] ${what}: webhook ${((d.hook.at - eventAt) / 1000).toFixed(1)} s, email ${((d.mail.at - eventAt) / 1000).toFixed(1)} s after the event (${note})`);
}

describe('health and disk alerts on the test bed', () => {
  it('the Alerts page says the thresholds in force', async () => {
    const page = await fetch(`${app.baseURL}/alerts`, { headers: { cookie: app.cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`A container alerts after ${THRESHOLD_S} s unhealthy or restarting; the disk of ${mountPoint} at 90 % and the memory at 90 % used (checked every ${CHECK_S} s`);
  });

  it('a container made unhealthy and one killed: one signed webhook and one email each after the threshold; a recovery re-arms', async () => {
    await until('the watcher listening', (h) => h.watcher.listening || undefined);
    const t0 = Date.now() - 1000;
    await makeUnhealthy(names.platform);
    await docker(['kill', names.rag]);
    const sick = await until('the unhealthy platform', (h) => incident(h, names.platform, t0, (i) => i.kind === 'health' && i.state === 'unhealthy'));
    const killed = await until('the killed rag', (h) => incident(h, names.rag, t0, (i) => i.kind === 'kill'));

    const unhealthy = await delivered('container.unhealthy', 1);
    const restarting = await delivered('container.restarting', 1);
    report('platform unhealthy', Date.parse(sick.at), unhealthy);
    report('rag killed', Date.parse(killed.at), restarting);
    for (const [d, service, since, title] of [
      [unhealthy, 'platform', sick.at, `platform unhealthy for more than ${THRESHOLD_S} s`],
      [restarting, 'rag', killed.at, `rag restarting for more than ${THRESHOLD_S} s`],
    ] as const) {
      expect(d.hook.verified).toBe(true);
      expect(d.hook.json).toMatchObject({ version: 1, test: false, severity: 'critical', title, data: { service, thresholdSeconds: THRESHOLD_S } });
      const data = d.hook.json.data as { since: string; container: string };
      expect(Date.parse(data.since)).toBe(Date.parse(since));
      expect(data.container).toBe(service === 'platform' ? names.platform : names.rag);
      // Not before the condition has lasted the threshold (5 min in production).
      expect(d.hook.at - Date.parse(since)).toBeGreaterThanOrEqual(THRESHOLD_S * 1000);
      expect(d.mail.at - Date.parse(since)).toBeGreaterThanOrEqual(THRESHOLD_S * 1000);
      expect(d.mail).toMatchObject({ from: 'tale@example.com', to: ['ops@example.com'], user: 'tale' });
      expect(mailText(d.mail)).toMatch(new RegExp(`^Subject: \\[Tale Console\\] ${title}\\r?$`, 'm'));
    }

    // Still one each while both conditions go on for another threshold and more.
    await sleep((THRESHOLD_S + 5) * 1000);
    expect(counts()).toMatchObject({ 'container.unhealthy': [1, 1], 'container.restarting': [1, 1] });

    // Recovery: both healthy again (the history says so), then platform unhealthy once more is a new episode.
    const t1 = Date.now() - 1000;
    await makeHealthy(names.platform);
    await docker(['start', names.rag]);
    await until('platform healthy again', (h) => incident(h, names.platform, t1, (i) => i.kind === 'health' && i.state === 'up'));
    await until('rag healthy again', (h) => incident(h, names.rag, t1, (i) => i.kind === 'health' && i.state === 'up'));
    const t2 = Date.now() - 1000;
    await makeUnhealthy(names.platform);
    const again = await until('platform unhealthy again', (h) => incident(h, names.platform, t2, (i) => i.kind === 'health' && i.state === 'unhealthy'));
    const second = await delivered('container.unhealthy', 2);
    report('platform unhealthy again', Date.parse(again.at), second);
    expect(second.hook.verified).toBe(true);
    expect(Date.parse((second.hook.json.data as { since: string }).since)).toBe(Date.parse(again.at));
    await sleep((THRESHOLD_S + 5) * 1000);
    expect(counts()).toMatchObject({ 'container.unhealthy': [2, 2], 'container.restarting': [1, 1] });
    await makeHealthy(names.platform);
  }, 300_000);

  it('a filesystem past the disk threshold: one alert per channel, again only after it went below 85 %', async () => {
    const fill = path.join(mountPoint, 'fill');
    // 7.6 MB of 8 MB: 95 % used (tmpfs allocates what is written).
    const filledAt = Date.now();
    fs.writeFileSync(fill, Buffer.alloc(Math.round(7.6 * 1024 * 1024), 1));
    const first = await delivered('disk.threshold', 1);
    report('disk filled', filledAt, first, `checked every ${CHECK_S} s`);
    expect(first.hook.verified).toBe(true);
    expect(first.hook.json).toMatchObject({ event: 'disk.threshold', severity: 'warning', data: { path: mountPoint, thresholdPercent: 90 } });
    const used = (first.hook.json.data as { usedPercent: number }).usedPercent;
    console.log(`[alerts-health] the tmpfs was ${used}% used`);
    expect(used).toBeGreaterThanOrEqual(90);
    expect(mailText(first.mail)).toMatch(/^Subject: \[Tale Console\] Disk \d+% full\r?$/m);

    // Three more checks above the line: still one.
    await sleep(3 * CHECK_S * 1000 + 1000);
    expect(counts()['disk.threshold']).toEqual([1, 1]);

    // Emptied (below 85 % for two checks), filled again: a second alert.
    fs.rmSync(fill);
    await sleep(2 * CHECK_S * 1000 + 1000);
    expect(counts()['disk.threshold']).toEqual([1, 1]);
    const refilledAt = Date.now();
    fs.writeFileSync(fill, Buffer.alloc(Math.round(7.6 * 1024 * 1024), 1));
    const second = await delivered('disk.threshold', 2);
    report('disk filled again', refilledAt, second, `checked every ${CHECK_S} s`);
    await sleep(2 * CHECK_S * 1000 + 1000);
    expect(counts()['disk.threshold']).toEqual([2, 2]);
    fs.rmSync(fill);

    // No secret in the console's output.
    for (const secret of [SECRET, SMTP_PASSWORD]) expect(app.output()).not.toContain(secret);
  }, 180_000);
});
