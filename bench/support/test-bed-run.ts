// The frame every bench on the real test bed shares: fixture images, a loopback registry holding
// the versions it needs, one deployment directory with its own project id, clean-up on success,
// failure and Ctrl-C, and the JSON summary printed last (after clean-up, so it is the last line).
import { createDeployment, type Deployment } from '../../e2e/fixtures/deployment';
import { ensureFixtureImages } from '../../e2e/fixtures/fixture-images';
import { allImageRefs, pushImages, startRegistry, type Registry } from '../../e2e/fixtures/registry';

export interface BenchBed {
  registry: Registry;
  deployment: Deployment;
  /** Registers a clean-up (a console, a scratch directory) run before the deployment's, last first. */
  defer(fn: () => Promise<void> | void): void;
}

export interface BenchBedOptions {
  /** Project id prefix: everything the run creates carries it. */
  prefix: string;
  /** Versions whose images the registry must hold. */
  versions: readonly string[];
  extraEnv?: Record<string, string>;
}

const say = (s: string) => process.stderr.write(`${s}\n`);

/** Runs `body` on a fresh test bed and prints the summary it returns as the last line. Exits 1 on failure. */
export function runBenchOnTestBed(options: BenchBedOptions, body: (bed: BenchBed) => Promise<object>): void {
  let registry: Registry | undefined;
  let deployment: Deployment | undefined;
  const deferred: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const fn of deferred.splice(0).reverse()) await Promise.resolve().then(fn).catch((e: unknown) => say(`cleanup: ${String(e)}`));
    // Everything the run created carries its project id; nothing else on this engine is touched.
    await deployment?.dispose().catch((e: unknown) => say(`cleanup: ${String(e)}`));
    await registry?.stop().catch((e: unknown) => say(`registry stop: ${String(e)}`));
    deployment = undefined;
    registry = undefined;
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void cleanUp().finally(() => process.exit(130));
    });
  }

  const run = async () => {
    try {
      await ensureFixtureImages(say);
      registry = await startRegistry();
      await pushImages(registry, allImageRefs([...options.versions]));
      deployment = await createDeployment({ registry: registry.host, prefix: options.prefix, extraEnv: options.extraEnv });
      const summary = await body({ registry, deployment, defer: (fn) => deferred.push(fn) });
      await cleanUp();
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } finally {
      await cleanUp();
    }
  };
  run().catch((e: unknown) => {
    say(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  });
}
