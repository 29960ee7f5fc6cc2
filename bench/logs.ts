// bench/logs: the console's log stream against `docker logs -f` itself, on the same container in
// the same run, at 1k, 10k and 50k lines/s. Prints a table per rate and, last, a JSON summary.
//   npx tsx bench/logs.ts            (needs the built console: npm run build; and fixture images)
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { createDeployment } from '../e2e/fixtures/deployment';
import { ensureFixtureImages } from '../e2e/fixtures/fixture-images';
import { docker } from '../e2e/fixtures/run-command';
import { GOOD_VERSION, localImage } from '../e2e/fixtures/versions';
import { rssMiB, startConsole } from '../e2e/support/console';
import { startLogGenerator } from '../e2e/support/log-generator';
import { readSse } from '../e2e/support/sse-client';
import type { LogLineDto } from '../lib/dto/logs';

const RATES = (process.env.BENCH_RATES ?? '1000,10000,50000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

type Reading = { lines: number; linesPerSec: number; p50Ms: number; p95Ms: number };

/** Follows one reader's lines until "generator done", measuring throughput and latency. */
function meter() {
  const latencies: number[] = [];
  let first = 0;
  let last = 0;
  return {
    see(text: string): boolean {
      const now = Date.now();
      if (text.includes('generator done')) return true;
      const m = / sent (\d+) /.exec(text);
      if (!m) return false;
      first ||= now;
      last = now;
      latencies.push(now - Number(m[1]));
      return false;
    },
    result(): Reading {
      const sorted = latencies.sort((a, b) => a - b);
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
      const secs = Math.max(0.001, (last - first) / 1000);
      return { lines: sorted.length, linesPerSec: Math.round(sorted.length / secs), p50Ms: at(50), p95Ms: at(95) };
    },
  };
}

function dockerLogsFollow(name: string): Promise<Reading> {
  const m = meter();
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['logs', '-f', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      child.kill('SIGTERM');
      resolve(m.result());
    };
    for (const stream of [child.stdout, child.stderr]) readline.createInterface({ input: stream }).on('line', (l) => m.see(l) && finish());
    child.on('error', reject);
    child.on('exit', finish);
  });
}

async function consoleFollow(baseURL: string, cookie: string): Promise<Reading> {
  const m = meter();
  const ctl = new AbortController();
  const guard = setTimeout(() => ctl.abort(), (SECONDS + 120) * 1000);
  await readSse(`${baseURL}/api/logs/stream?service=platform&color=blue&tail=100000`, {
    cookie,
    signal: ctl.signal,
    onEvent: (e) => {
      if (e.event !== 'lines') return;
      let done = false;
      for (const l of JSON.parse(e.data) as LogLineDto[]) done = m.see(l.text) || done;
      return done ? 'stop' : undefined;
    },
  });
  clearTimeout(guard);
  return m.result();
}

async function main() {
  await ensureFixtureImages();
  const deployment = await createDeployment({ prefix: 'bench-logs' });
  const app = await startConsole({ deployDir: deployment.dir });
  const summary: Record<string, unknown> = {};
  const rssBefore = rssMiB(app.pid);
  try {
    for (const rate of RATES) {
      const name = `${deployment.id}-platform-blue`;
      await docker(['rm', '-f', name], { allowFailure: true });
      await startLogGenerator({ name, project: deployment.id, image: localImage('platform', GOOD_VERSION), rate, seconds: SECONDS });
      const [dockerReading, consoleReading] = await Promise.all([dockerLogsFollow(name), consoleFollow(app.baseURL, app.cookie)]);
      const ratio = Number((consoleReading.linesPerSec / dockerReading.linesPerSec).toFixed(3));
      console.log(
        `rate ${rate}/s: docker logs -f ${dockerReading.lines} lines, ${dockerReading.linesPerSec}/s, p50 ${dockerReading.p50Ms} ms, p95 ${dockerReading.p95Ms} ms | ` +
          `console ${consoleReading.lines} lines, ${consoleReading.linesPerSec}/s, p50 ${consoleReading.p50Ms} ms, p95 ${consoleReading.p95Ms} ms | ratio ${ratio}`,
      );
      summary[String(rate)] = { docker: dockerReading, console: consoleReading, throughputRatio: ratio };
    }
  } finally {
    const rssAfter = rssMiB(app.pid);
    summary.consoleRssMiB = { before: Number(rssBefore.toFixed(1)), after: Number(rssAfter.toFixed(1)) };
    await app.stop();
    await deployment.dispose();
  }
  console.log(JSON.stringify(summary));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
