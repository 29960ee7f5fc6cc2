// `npm test`: every check, in two lanes at a time so a 2-core CI machine spends its waits on
// something useful. Most of the time in the test bed is waiting (debootstrap downloads, health
// checks, drains), not computing, so overlapping lanes roughly halves the wall time.
//   phase 1: lint → typecheck → unit → build   ‖   test-bed images (cold: debootstrap)
//   phase 2: integration tests → small benches  ‖   browser tests
//   phase 3: the bad-input corpus and the audit flood (10,000 refused sign-ins), then two backup
//            files   ‖   the other six backup files, one at a time
// The corpus is ~28,000 requests of pure CPU for the console. Beside it, the 2 cores starved the
// tests that measure timing-sensitive behaviour (zero failed requests across a switch, health
// probes with 3 s timeouts, a 2,000 lines/s log tail), which then failed for want of CPU alone.
// A lane stops at its first failure; the run fails if any lane failed, after both have finished.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`.padStart(6);

function run(lane, script) {
  return new Promise((resolve) => {
    console.log(`[${lane}${elapsed()}] npm run ${script}`);
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Prefix whole lines so the two lanes' output stays readable when interleaved.
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) console.log(`[${lane}] ${line}`);
      });
      stream.on('end', () => rest && console.log(`[${lane}] ${rest}`));
    }
    child.on('close', (code) => {
      console.log(`[${lane}${elapsed()}] npm run ${script} → ${code === 0 ? 'ok' : `failed (${code})`}`);
      resolve(code === 0);
    });
  });
}

async function lane(name, scripts) {
  for (const script of scripts) if (!(await run(name, script))) return false;
  return true;
}

async function phase(lanes) {
  const results = await Promise.all(Object.entries(lanes).map(([name, scripts]) => lane(name, scripts)));
  return results.every(Boolean);
}

// Phase 3 splits test:integration:backup's files in two scripts: a backup file added to the first
// and to neither of the others would never run in CI. Refused here, before anything runs.
const scripts = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts;
const filesOf = (name) => scripts[name].split(' ').filter((w) => w.endsWith('.test.ts')).sort();
const split = [...filesOf('test:integration:backup:beside-corpus'), ...filesOf('test:integration:backup:after-corpus')].sort();
if (JSON.stringify(split) !== JSON.stringify(filesOf('test:integration:backup'))) {
  console.error('[test-all] test:integration:backup:beside-corpus and :after-corpus must list exactly the files of test:integration:backup, each once.');
  process.exit(1);
}

const ok =
  (await phase({ checks: ['lint', 'typecheck', 'test:unit', 'build'], images: ['fixtures'] })) &&
  (await phase({ integration: ['test:integration:timed', 'bench:small'], browser: ['test:e2e'] })) &&
  // The backup tests dump and restore a 64 MB table, replay dumps into throwaway PostgreSQL servers
  // (the drills), back up and upgrade under a request loop (the gate) and run sshd, s3rver and
  // restic --read-data (the targets): heavy disk and CPU that would starve the timed tests' traffic
  // (seconds without an answer, seen in CI), so they run here. The corpus and the flood take 10.5
  // to 12.5 minutes in CI (longer with the heavier backup files beside them), the eight backup files
  // ~19 one after the other: six run beside the corpus, the other two after it in its lane, and two
  // backup files run at once only once the corpus is done. (Two at once
  // once left a drill unfinished after 285 s: another file's console start removed its throwaway
  // server; a console now removes only its own project's, docs/testbed.md.)
  (await phase({ corpus: ['test:bad-inputs', 'test:integration:backup:after-corpus'], backup: ['test:integration:backup:beside-corpus'] }));
console.log(`[test-all${elapsed()}] ${ok ? 'all passed' : 'FAILED'}`);
process.exit(ok ? 0 : 1);
