import { docker } from '../fixtures/run-command';
import { FIXTURE_LABEL } from '../fixtures/containers';

// A container that writes numbered lines at a fixed rate, for log tests and bench/logs. It runs
// the stand-in image's own Node with a script passed as an argument (no shell involved).

const SCRIPT = `
const [rate, seconds, stderrEvery] = process.argv.slice(1, 4).map(Number);
const tag = process.argv[4] || '-';
const onSignal = process.argv[5] === 'on-signal';
const perTick = Math.max(1, Math.round(rate / 100));
let n = 0;
let end = Infinity;
const colours = ['\\u001b[32m', '\\u001b[33m', '\\u001b[36m'];
const tick = () => {
  // Pipes flush in order: once the empty writes are through, every line before them is too.
  if (Date.now() >= end) { process.stderr.write('', () => process.stdout.write('generator done\\n', () => process.exit(0))); return; }
  let out = '', err = '';
  for (let i = 0; i < perTick; i++, n++) {
    const line = 'line ' + n + ' sent ' + Date.now() + ' ' + tag + ' ' + colours[n % 3] + 'colour' + '\\u001b[0m\\n';
    if (stderrEvery > 0 && n % stderrEvery === 0) err += line; else out += line;
  }
  if (err) process.stderr.write(err);
  if (!process.stdout.write(out)) process.stdout.once('drain', () => setTimeout(tick, 10)); else setTimeout(tick, 10);
};
let started = false;
const start = () => {
  if (started) return;
  started = true;
  if (seconds > 0) end = Date.now() + seconds * 1000;
  tick();
};
process.on('SIGTERM', () => process.exit(0));
process.on('SIGUSR2', start);
process.on('SIGHUP', () => { end = Date.now(); });
// Waiting for the signal, nothing else would keep Node alive; the generator ends with process.exit.
if (onSignal) setInterval(() => {}, 1 << 30); else start();
`;

export type GeneratorOptions = {
  name: string;
  project: string;
  rate: number;
  /** 0 (the default): until finishFlood(). */
  seconds?: number;
  stderrEvery?: number;
  image: string;
  tag?: string;
  /** Write nothing until startFlood(): a slow browser cannot miss the flood it waits for. */
  onSignal?: boolean;
};

/** Starts the generator; lines read `line <n> sent <epoch ms> <tag> <coloured word>`. */
export async function startLogGenerator(o: GeneratorOptions): Promise<void> {
  await docker([
    'run', '-d', '--name', o.name,
    '--label', `project=${o.project}`, '--label', `${FIXTURE_LABEL}=1`,
    '--log-opt', 'max-size=200m',
    o.image, 'node', '-e', SCRIPT, String(o.rate), String(o.seconds ?? 0), String(o.stderrEvery ?? 0), o.tag ?? '-', o.onSignal ? 'on-signal' : 'now',
  ]);
}

/** Starts the flood of a generator started with `onSignal`. */
export async function startFlood(name: string): Promise<void> {
  await docker(['kill', '--signal', 'USR2', name]);
}

/** Ends a generator's flood: it writes `generator done` after its last line and exits. */
export async function finishFlood(name: string): Promise<void> {
  await docker(['kill', '--signal', 'HUP', name]);
}

/** A container whose one log line is markup, to prove the viewer shows it as text. */
export async function startEchoContainer(o: { name: string; project: string; image: string; text: string }): Promise<void> {
  await docker([
    'run', '-d', '--name', o.name, '--label', `project=${o.project}`, '--label', `${FIXTURE_LABEL}=1`,
    o.image, 'node', '-e', 'console.log(process.argv[1]); setInterval(() => {}, 1 << 30)', o.text,
  ]);
}

/**
 * A container that logs `before` and then nothing until it receives SIGUSR1, when it logs
 * `after`: a quiet container whose next line the test writes when it chooses.
 */
export async function startQuietContainer(o: { name: string; project: string; image: string }): Promise<void> {
  await docker([
    'run', '-d', '--name', o.name, '--label', `project=${o.project}`, '--label', `${FIXTURE_LABEL}=1`,
    o.image, 'node', '-e',
    "console.log('before'); process.on('SIGUSR1', () => console.log('after')); process.on('SIGTERM', () => process.exit(0)); setInterval(() => {}, 1 << 30)",
  ]);
}
