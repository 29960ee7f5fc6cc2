import { describe, expect, it } from 'vitest';
import { colorSpecs, networkSpec, statefulSpecs, volumeSpecs, type StackInput } from './generate-stack';
import { candidateAliases, liveAliases, nextColor } from './stack-names';
import { CONFIG_HASH_LABEL } from './proxy-config';
import type { ContainerSpec } from './types';

const ID = 'my-app-a3f1b2';
const DIR = '/srv/tale';
const ENV = {
  HOST: 'tale.example.com',
  SITE_URL: 'https://tale.example.com',
  TLS_MODE: 'selfsigned',
  DB_PASSWORD: 'pw',
};
const input = (over: Partial<StackInput> = {}): StackInput => ({
  projectId: ID,
  deploymentDir: DIR,
  env: ENV,
  images: { version: '0.9.0' },
  ...over,
});

const byService = (specs: ContainerSpec[]) => Object.fromEntries(specs.map((s) => [s.service, s]));
const LOGGING = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } };
const GATEWAY = ['host.docker.internal:host-gateway'];

function composeLabels(project: string, service: string, color?: string) {
  return {
    'com.docker.compose.project': project,
    'com.docker.compose.service': service,
    'com.docker.compose.project.working_dir': DIR,
    'com.docker.compose.oneoff': 'False',
    'com.docker.compose.container-number': '1',
    'io.tale.console.managed': 'true',
    'io.tale.console.version': '0.9.0',
    ...(color ? { 'io.tale.console.color': color } : {}),
  };
}

describe('stateful specs (docs/tale-cli.md#stateful-services) — first deploy', () => {
  const specs = statefulSpecs(input());
  const s = byService(specs);

  it('starts db, proxy, convex in that order', () => {
    expect(specs.map((x) => x.name)).toEqual([`${ID}-db`, `${ID}-proxy`, `${ID}-convex`]);
  });

  it('pins db to the table', () => {
    expect(s.db).toEqual({
      service: 'db',
      composeService: 'db',
      composeProject: ID,
      role: 'stateful',
      color: null,
      name: `${ID}-db`,
      image: 'ghcr.io/tale-project/tale/tale-db:0.9.0',
      env: ENV,
      labels: composeLabels(ID, 'db'),
      network: { network: `${ID}_internal`, aliases: ['db'] },
      mounts: [
        { volume: `${ID}_db-data`, target: '/var/lib/postgresql/data', readOnly: false },
        { volume: `${ID}_db-backup`, target: '/var/lib/postgresql/backup', readOnly: false },
      ],
      ports: [],
      healthcheck: { test: ['CMD-SHELL', 'pg_isready -U tale -d tale'], intervalSeconds: 30, timeoutSeconds: 10, retries: 3, startPeriodSeconds: 60 },
      restartPolicy: 'unless-stopped',
      logging: LOGGING,
      extraHosts: [],
      stopGracePeriodSeconds: 60,
      shmSizeBytes: 268435456,
      dependsOn: [],
    });
  });

  it('pins proxy to the table', () => {
    expect(s.proxy).toMatchObject({
      composeProject: ID,
      image: 'ghcr.io/tale-project/tale/tale-proxy:0.9.0',
      labels: composeLabels(ID, 'proxy'),
      network: { network: `${ID}_internal`, aliases: ['proxy', 'tale.example.com'] },
      mounts: [
        { volume: `${ID}_caddy-data`, target: '/data', readOnly: false },
        { volume: `${ID}_caddy-config`, target: '/config', readOnly: false },
      ],
      ports: [
        { hostPort: 80, containerPort: 80, protocol: 'tcp', hostIp: '' },
        { hostPort: 443, containerPort: 443, protocol: 'tcp', hostIp: '' },
      ],
      healthcheck: {
        test: ['CMD', 'wget', '--no-verbose', '--tries=1', '--spider', 'http://127.0.0.1:2020/health'],
        intervalSeconds: 30, timeoutSeconds: 10, retries: 3, startPeriodSeconds: 10,
      },
      restartPolicy: 'unless-stopped',
      logging: LOGGING,
      extraHosts: GATEWAY,
      stopGracePeriodSeconds: 10,
      shmSizeBytes: null,
      dependsOn: [],
    });
  });

  it('pins convex to the table', () => {
    expect(s.convex).toMatchObject({
      image: 'ghcr.io/tale-project/tale/tale-convex:0.9.0',
      labels: composeLabels(ID, 'convex'),
      network: { network: `${ID}_internal`, aliases: ['convex'] },
      mounts: [
        { volume: `${ID}_convex-data`, target: '/app/data', readOnly: false },
        { volume: `${ID}_caddy-data`, target: '/caddy-data', readOnly: true },
      ],
      ports: [],
      healthcheck: {
        test: ['CMD-SHELL', 'curl -sf http://localhost:3210/version && [ -f /tmp/convex-ready ]'],
        intervalSeconds: 5, timeoutSeconds: 3, retries: 3, startPeriodSeconds: 120,
      },
      extraHosts: GATEWAY,
      dependsOn: [{ service: 'db', condition: 'service_healthy' }],
    });
    expect(s.convex?.env).toEqual(ENV);
  });

  it('gives every container the whole .env and nothing more unless --fresh', () => {
    for (const spec of specs) expect(spec.env).toEqual(ENV);
    const fresh = byService(statefulSpecs(input({ fresh: true })));
    expect(fresh.convex?.env).toEqual({ ...ENV, FORCE_SEED: 'true' });
    expect(fresh.db?.env).toEqual(ENV);
  });

  it('interpolates the db health check from .env and refuses shell metacharacters', () => {
    const custom = byService(statefulSpecs(input({ env: { ...ENV, POSTGRES_USER: 'admin', POSTGRES_DB: 'main' } })));
    expect(custom.db?.healthcheck.test).toEqual(['CMD-SHELL', 'pg_isready -U admin -d main']);
    expect(() => statefulSpecs(input({ env: { ...ENV, POSTGRES_USER: 'x; rm -rf /' } }))).toThrow(/SQL identifiers/);
  });

  it('uses --host, then HOST, then tale.local as the proxy alias', () => {
    expect(byService(statefulSpecs(input({ hostAlias: 'cli.example' }))).proxy?.network.aliases).toEqual(['proxy', 'cli.example']);
    expect(byService(statefulSpecs(input({ env: { DB_PASSWORD: 'x' } }))).proxy?.network.aliases).toEqual(['proxy', 'tale.local']);
  });
});

describe('colour specs (docs/tale-cli.md#colour-services)', () => {
  it.each(['blue', 'green'] as const)('pins the %s colour to the table', (color) => {
    const specs = colorSpecs(input(), color);
    expect(specs.map((x) => x.composeService)).toEqual([`rag-${color}`, `crawler-${color}`, `platform-${color}`]);
    const s = byService(specs);
    const project = `${ID}-${color}`;
    expect(s.platform).toEqual({
      service: 'platform',
      composeService: `platform-${color}`,
      composeProject: project,
      role: 'rotatable',
      color,
      name: `${ID}-platform-${color}`,
      image: 'ghcr.io/tale-project/tale/tale-platform:0.9.0',
      env: ENV,
      labels: composeLabels(project, `platform-${color}`, color),
      network: { network: `${ID}_internal`, aliases: [`platform-${color}`] },
      mounts: [{ volume: `${ID}_convex-data`, target: '/app/data', readOnly: true }],
      ports: [],
      healthcheck: {
        test: ['CMD-SHELL', 'curl -sf http://localhost:3000/api/health && [ -f /tmp/platform-ready ]'],
        intervalSeconds: 5, timeoutSeconds: 3, retries: 3, startPeriodSeconds: 180,
      },
      restartPolicy: 'unless-stopped',
      logging: LOGGING,
      extraHosts: GATEWAY,
      stopGracePeriodSeconds: 10,
      shmSizeBytes: null,
      dependsOn: [
        { service: 'rag', condition: 'service_healthy' },
        { service: 'crawler', condition: 'service_healthy' },
      ],
    });
    expect(s.rag).toMatchObject({
      name: `${ID}-rag-${color}`,
      image: 'ghcr.io/tale-project/tale/tale-rag:0.9.0',
      labels: composeLabels(project, `rag-${color}`, color),
      mounts: [
        { volume: `${ID}_rag-data`, target: '/app/data', readOnly: false },
        { volume: `${ID}_convex-data`, target: '/app/platform-config', readOnly: true },
      ],
      healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8001/health'], intervalSeconds: 5, timeoutSeconds: 3, retries: 2, startPeriodSeconds: 40 },
      dependsOn: [],
      extraHosts: GATEWAY,
    });
    expect(s.crawler).toMatchObject({
      name: `${ID}-crawler-${color}`,
      image: 'ghcr.io/tale-project/tale/tale-crawler:0.9.0',
      mounts: [
        { volume: `${ID}_crawler-data`, target: '/app/data', readOnly: false },
        { volume: `${ID}_convex-data`, target: '/app/platform-config', readOnly: true },
      ],
      healthcheck: { test: ['CMD', 'curl', '-f', 'http://localhost:8002/health'], intervalSeconds: 5, timeoutSeconds: 3, retries: 2, startPeriodSeconds: 40 },
      shmSizeBytes: null,
    });
  });

  it('starts a candidate colour without the shared aliases and lists the live ones', () => {
    expect(colorSpecs(input(), 'green').map((s) => s.network.aliases)).toEqual([['rag-green'], ['crawler-green'], ['platform-green']]);
    expect(colorSpecs(input(), 'green', 'live').map((s) => s.network.aliases)).toEqual([
      ['rag', 'rag-green'],
      ['crawler', 'crawler-green'],
      ['platform', 'platform-green'],
    ]);
    expect(candidateAliases('platform', 'blue')).toEqual(['platform-blue']);
    expect(liveAliases('platform', 'blue')).toEqual(['platform', 'platform-blue']);
  });

  it('chooses blue first, then alternates', () => {
    expect(nextColor(null)).toBe('blue');
    expect(nextColor('blue')).toBe('green');
    expect(nextColor('green')).toBe('blue');
  });
});

describe('images', () => {
  it('honours GHCR_REGISTRY and per-image digests', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const specs = colorSpecs(
      input({ env: { ...ENV, GHCR_REGISTRY: '127.0.0.1:5000/tale/' }, images: { version: '1.0.0-rc2', digests: { platform: digest } } }),
      'blue',
    );
    expect(byService(specs).platform?.image).toBe(`127.0.0.1:5000/tale/tale-platform:1.0.0-rc2@${digest}`);
    expect(byService(specs).rag?.image).toBe('127.0.0.1:5000/tale/tale-rag:1.0.0-rc2');
  });

  it('refuses malformed versions, digests and ids', () => {
    expect(() => colorSpecs(input({ images: { version: 'a b' } }), 'blue')).toThrow(/tag/);
    // A channel is no version: the specs name what was checked, never a tag that moves.
    expect(() => colorSpecs(input({ images: { version: 'latest' } }), 'blue')).toThrow(/version tag/);
    expect(() => colorSpecs(input({ images: { version: '1.0.0', digests: { rag: 'md5:x' } } }), 'blue')).toThrow(/sha256/);
    expect(() => statefulSpecs(input({ projectId: 'Bad' }))).toThrow(/Project id/);
  });
});

describe('override effects', () => {
  it('pins an image and adds environment for one service only', () => {
    const override = { platform: { image: 'registry.local/custom/platform:dev', environment: { FEATURE_X: 'on' } } };
    const s = byService(colorSpecs(input({ override }), 'blue'));
    expect(s.platform?.image).toBe('registry.local/custom/platform:dev');
    expect(s.platform?.env).toEqual({ ...ENV, FEATURE_X: 'on' });
    expect(s.rag?.image).toBe('ghcr.io/tale-project/tale/tale-rag:0.9.0');
    expect(s.rag?.env).toEqual(ENV);
  });
});

describe('external database', () => {
  const ext = { ...ENV, POSTGRES_URL: 'postgresql://tale:secret@pg.internal:5432/' };

  it.each([
    ['config flag', { externalDatabase: true }],
    ['override profiles: [disabled]', { override: { db: { disabled: true } } }],
  ])('via %s: no db container, nothing depends on it, URLs consistent', (_name, over) => {
    const specs = statefulSpecs(input({ env: ext, ...over }));
    expect(specs.map((s) => s.service)).toEqual(['proxy', 'convex']);
    const all = [...specs, ...colorSpecs(input({ env: ext, ...over }), 'blue')];
    for (const spec of all) {
      expect(spec.dependsOn.map((d) => d.service)).not.toContain('db');
      expect(spec.env).toMatchObject({
        POSTGRES_URL: 'postgresql://tale:secret@pg.internal:5432',
        RAG_DATABASE_URL: 'postgresql://tale:secret@pg.internal:5432/tale_knowledge',
        CRAWLER_DATABASE_URL: 'postgresql://tale:secret@pg.internal:5432/tale_knowledge',
      });
    }
  });

  it('keeps explicit rag/crawler URLs', () => {
    const env = { ...ext, RAG_DATABASE_URL: 'postgresql://r:x@pg2:5432/kb' };
    const [platform] = colorSpecs(input({ env, externalDatabase: true }), 'blue');
    expect(platform?.env.RAG_DATABASE_URL).toBe('postgresql://r:x@pg2:5432/kb');
    expect(platform?.env.CRAWLER_DATABASE_URL).toBe('postgresql://tale:secret@pg.internal:5432/tale_knowledge');
  });

  it('refuses a missing POSTGRES_URL or one pointing at the disabled db, without leaking it', () => {
    expect(() => statefulSpecs(input({ externalDatabase: true }))).toThrow(expect.objectContaining({ code: 'EXTERNAL_DB_URL_MISSING' }));
    const env = { ...ENV, POSTGRES_URL: 'postgresql://tale:hunter2@db:5432' };
    let message = '';
    try {
      colorSpecs(input({ env, externalDatabase: true }), 'blue');
    } catch (err) {
      message = (err as Error).message;
      expect(err).toMatchObject({ code: 'EXTERNAL_DB_URL_POINTS_TO_BUNDLED_DB' });
    }
    expect(message).not.toBe('');
    expect(message).not.toContain('hunter2');
  });

  it('leaves bundled-db mode untouched', () => {
    const specs = statefulSpecs(input());
    expect(specs.map((s) => s.service)).toEqual(['db', 'proxy', 'convex']);
    expect(specs[0]?.env).toEqual(ENV);
  });
});

describe('infrastructure', () => {
  it('lists the 8 labelled volumes and the internal bridge network', () => {
    expect(volumeSpecs(ID).map((v) => v.name)).toEqual(
      ['platform-data', 'convex-data', 'caddy-data', 'caddy-config', 'db-data', 'db-backup', 'rag-data', 'crawler-data'].map((v) => `${ID}_${v}`),
    );
    expect(volumeSpecs(ID).every((v) => v.labels.project === ID)).toBe(true);
    expect(networkSpec(ID)).toEqual({ name: `${ID}_internal`, driver: 'bridge', labels: { project: ID } });
  });
});

describe('the proxy’s configuration hash (the label a deploy compares before recreating it)', () => {
  const hashOf = (over: Partial<StackInput> = {}) => byService(statefulSpecs(input(over))).proxy?.labels[CONFIG_HASH_LABEL];

  it('is written on the proxy only', () => {
    const s = byService(statefulSpecs(input()));
    expect(s.proxy?.labels[CONFIG_HASH_LABEL]).toMatch(/^[0-9a-f]{64}$/);
    expect(s.db?.labels[CONFIG_HASH_LABEL]).toBeUndefined();
    expect(s.convex?.labels[CONFIG_HASH_LABEL]).toBeUndefined();
  });

  it('changes with a key the proxy reads, its image, its ports and its own override environment', () => {
    const base = hashOf();
    expect(hashOf({ env: { ...ENV, TLS_MODE: 'external' } })).not.toBe(base);
    expect(hashOf({ env: { ...ENV, BASE_PATH: '/tale' } })).not.toBe(base);
    expect(hashOf({ images: { version: '0.9.1' } })).not.toBe(base);
    expect(hashOf({ override: { proxy: { ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1' }] } } })).not.toBe(base);
    expect(hashOf({ override: { proxy: { environment: { ANYTHING: '1' } } } })).not.toBe(base);
  });

  it('stays with keys only other services read, and with a new release when the proxy image is pinned', () => {
    const base = hashOf();
    expect(hashOf({ env: { ...ENV, BETTER_AUTH_SECRET: 'x'.repeat(32), SOMETHING_NEW: 'y' } })).toBe(base);
    const pinned = { proxy: { image: 'example.com/caddy:2' } };
    expect(hashOf({ override: pinned, images: { version: '0.9.1' } })).toBe(hashOf({ override: pinned }));
  });
});
