import type Docker from 'dockerode';
import type { TimedEvent } from './test-bed-ports';
import type { TrafficReport } from './test-bed-traffic';

// When a zero-failure promise breaks on a busy CI machine, the assertion alone says only "43
// failed". This says what is needed to tell an engine fault from a starved proxy: the seconds
// that failed, what the engine was doing at those moments, and what the proxy logged meanwhile.
// It is returned for the assertion's message, not printed: CI shows a failed test's message in
// its summary, while a test's own output can be cut from what reaches the reader.

const rel = (t: number, t0: number) => `+${((t - t0) / 1000).toFixed(1)}s`;

/** Why requests failed, for `expect(…, message)`; '' when none did. */
export async function explainFailures(report: TrafficReport, events: TimedEvent[], docker: Docker, proxy: string): Promise<string> {
  if (report.failed === 0) return '';
  const t0 = report.startedAt;
  const failedSeconds = report.load.timeline
    .filter((s) => s.failed > 0)
    .map((s) => `${rel(t0 + s.second * 1000, t0)} ok=${s.ok} failed=${JSON.stringify(s.failuresByKind)}`);
  const failedProbes = report.samples
    .filter((s) => s.error !== null)
    .map((s) => `sent ${rel(s.sentAt, t0)} answered ${rel(s.at, t0)} ${s.error}`);
  const engine = events
    .filter((e) => e.status !== 'progress' || e.step === 'switch' || e.step === 'retire')
    .map((e) => `${rel(e.at, t0)} ${e.step} ${e.status}${e.data ? ` ${JSON.stringify(e.data).slice(0, 200)}` : ''}`);
  const since = Math.floor(t0 / 1000);
  const logs = await docker
    .getContainer(proxy)
    .logs({ stdout: true, stderr: true, since, follow: false })
    .then((b) => b.toString('utf8'))
    .catch((e: unknown) => `(no proxy logs: ${(e as Error).message})`);
  const proxyLines = logs.split('\n').filter((l) => /error|unhealthy|down|fail|reset|no upstreams/i.test(l)).slice(-60);
  // The telling parts last: a CI summary that cuts a long message keeps its end.
  return [
      'engine events:', ...engine,
      `proxy ${proxy} log lines about failures:`, ...proxyLines,
      'failed seconds of the load:', ...failedSeconds,
      'failed probes (with the proxy\'s reason):', ...failedProbes.slice(0, 40),
      `[zero-failure] ${report.failed} of ${report.requests} failed: ${JSON.stringify(report.failuresByKind)}`,
    ].join('\n  ');
}
