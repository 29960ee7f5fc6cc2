// The console image, built offline from the repository's Dockerfile for the smoke test: the base
// is the Debian-made Node 20 (fixtures/node-base.ts) and the app is the standalone build that
// `npm run build` already made on this machine (Dockerfile PREBUILT=true), since npm's registry is
// not reachable either. Rebuilt only when the Dockerfile, its scripts, the base or the build change.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from '../fixtures/cache-dir';
import { hashFiles, hashParts } from '../fixtures/content-hash';
import { ensureImage, HASH_LABEL, type CacheStats } from '../fixtures/image-cache';
import { dockerfileBaseImage, ensureNodeBaseImage } from '../fixtures/node-base';
import { docker, runCommand } from '../fixtures/run-command';
import { projectRoot } from './paths';

export const CONSOLE_IMAGE = 'tale-fixture/console:smoke';
export const IMAGE_LABELS = { version: '0.0.0-smoke', source: 'https://example.invalid/tale-console', revision: 'smoke-test' };

const DOCKERFILE = path.join(projectRoot, 'Dockerfile');
/** Files of the repository the Dockerfile reads in PREBUILT mode (besides the standalone build). */
/** The host's restic from Debian's package, which the offline build copies in (Dockerfile: restic-prebuilt/). */
const HOST_RESTIC = '/usr/bin/restic';
const CONTEXT_FILES = ['Dockerfile', 'package.json', 'package-lock.json', 'scripts/start.mjs', 'scripts/remote-address.cjs', 'scripts/container-entrypoint.cjs', 'scripts/container-entrypoint.sh'];

export interface ConsoleImage {
  image: string;
  sizeBytes: number;
  built: boolean;
}

export async function ensureConsoleImage(log: (line: string) => void = () => {}): Promise<ConsoleImage> {
  const standalone = path.join(projectRoot, '.next', 'standalone');
  const buildId = path.join(projectRoot, '.next', 'BUILD_ID');
  if (!existsSync(path.join(standalone, 'server.js')) || !existsSync(buildId)) {
    throw new Error('No standalone build: run `npm run build` before this test');
  }
  const base = await ensureNodeBaseImage(dockerfileBaseImage(DOCKERFILE), log);
  const hash = hashParts(
    'console-image-1',
    base.hash,
    hashFiles(...CONTEXT_FILES.map((f) => path.join(projectRoot, f))),
    readFileSync(buildId, 'utf8'),
    JSON.stringify(IMAGE_LABELS),
    hashFiles(HOST_RESTIC),
  );
  const stats: CacheStats = { built: [], reused: [] };
  await ensureImage(stats, CONSOLE_IMAGE, hash, async () => {
    mkdirSync(CACHE_DIR, { recursive: true });
    const ctx = mkdtempSync(path.join(CACHE_DIR, 'console-ctx-'));
    try {
      for (const f of CONTEXT_FILES) cpSync(path.join(projectRoot, f), path.join(ctx, f));
      mkdirSync(path.join(ctx, 'restic-prebuilt'));
      cpSync(HOST_RESTIC, path.join(ctx, 'restic-prebuilt', 'restic'));
      mkdirSync(path.join(ctx, '.next'));
      // Hard links: the standalone tree is large and the cache lives on the same disk.
      await runCommand('cp', ['-al', standalone, path.join(ctx, '.next', 'standalone')]);
      await docker([
        'build', '-q', '-t', CONSOLE_IMAGE,
        '--label', `${HASH_LABEL}=${hash}`,
        '--build-arg', 'PREBUILT=true',
        '--build-arg', `NODE_IMAGE=${base.image}`,
        '--build-arg', `VERSION=${IMAGE_LABELS.version}`,
        '--build-arg', `SOURCE=${IMAGE_LABELS.source}`,
        '--build-arg', `REVISION=${IMAGE_LABELS.revision}`,
        ctx,
      ], { timeoutMs: 600_000 });
    } finally {
      rmSync(ctx, { recursive: true, force: true });
    }
  }, log);
  const { stdout } = await docker(['image', 'inspect', '--format', '{{.Size}}', CONSOLE_IMAGE]);
  return { image: CONSOLE_IMAGE, sizeBytes: Number(stdout.trim()), built: stats.built.length > 0 };
}
