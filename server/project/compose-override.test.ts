import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { colorSpecs, statefulSpecs } from '@/server/stack/generate-stack';
import { parseComposeOverride, readComposeOverride } from './compose-override';
import { localDir } from '@/server/project/file-ops';

const FILE = '/srv/tale/compose.override.yml';

describe('parseComposeOverride', () => {
  it('accepts image pins, the disabled db and environment in map and list form', () => {
    const text = [
      'services:',
      '  platform:',
      '    image: registry.local:5000/tale/tale-platform:1.2.3',
      '    environment:',
      '      FEATURE: "on"',
      '      WORKERS: 4',
      '  rag:',
      '    environment:',
      '      - RAG_WORKERS=2',
      '      - NOTE=a=b',
      '  db:',
      "    profiles: ['disabled']",
    ].join('\n');
    expect(parseComposeOverride(text, FILE)).toEqual({
      platform: { image: 'registry.local:5000/tale/tale-platform:1.2.3', environment: { FEATURE: 'on', WORKERS: '4' } },
      rag: { environment: { RAG_WORKERS: '2', NOTE: 'a=b' } },
      db: { disabled: true },
    });
  });

  it('treats an empty file as no override and tolerates version and x- anchors', () => {
    expect(parseComposeOverride('', FILE)).toEqual({});
    const text = "version: '3.8'\nx-env: &env\n  A: '1'\nservices:\n  rag:\n    environment:\n      <<: *env\n      B: '2'\n";
    expect(parseComposeOverride(text, FILE)).toEqual({ rag: { environment: { A: '1', B: '2' } } });
  });

  it.each([
    ['services:\n  db:\n    ports: ["5432:5432"]\n', 'services.db.ports'],
    ['services:\n  proxy:\n    volumes: ["./x:/y"]\n', 'services.proxy.volumes'],
    ['services:\n  docs:\n    image: x\n', 'services.docs'],
    ['networks:\n  default: {}\n', 'networks'],
    ['services:\n  rag:\n    profiles: ["disabled"]\n', 'services.rag.profiles'],
    ['services:\n  db:\n    profiles: ["debug"]\n', 'services.db.profiles'],
    ['services:\n  rag:\n    environment:\n      - PASSTHROUGH\n', 'services.rag.environment'],
    ['services:\n  rag:\n    environment:\n      X: "a\\nB=1"\n', 'services.rag.environment.X'],
    ['services:\n  rag:\n    environment:\n      DRAIN_TIMEOUT: "-1"\n', 'services.rag.environment.DRAIN_TIMEOUT'],
    ['services:\n  rag:\n    image: "bad image"\n', 'services.rag.image'],
    ['services:\n  proxy:\n    ports: ["8080:80"]\n', 'services.proxy.ports would add'],
    ['services:\n  proxy:\n    ports: !override ["8080:22"]\n', 'services.proxy.ports entries'],
    ['services:\n  proxy:\n    ports: !override ["999.1.1.1:8080:80"]\n', 'services.proxy.ports entries'],
    ['services:\n  proxy:\n    ports: !override ["8080:80", "8080:443"]\n', 'services.proxy.ports publishes'],
    ['services:\n  proxy:\n    ports: !override []\n', 'services.proxy.ports must'],
    ['services:\n  rag:\n    ports: !override ["8080:80"]\n', 'the YAML tag !override'],
    ['services:\n  proxy:\n    ports: !reset []\n', 'the YAML tag !reset'],
  ])('refuses %j naming %s and the file', (text, key) => {
    expect(() => parseComposeOverride(text, FILE)).toThrow(expect.objectContaining({ code: 'OVERRIDE_UNSUPPORTED' }));
    expect(() => parseComposeOverride(text, FILE)).toThrow(new RegExp(`^compose\\.override\\.yml: ${key.replace(/\./g, '\\.')}`));
  });

  it('replaces the proxy ports with `ports: !override`, as compose does', () => {
    const override = parseComposeOverride("services:\n  proxy:\n    ports: !override\n      - '127.0.0.1:8080:80'\n      - 8443:443/tcp\n", FILE);
    const specs = statefulSpecs({ projectId: 'p-123456', deploymentDir: '/srv/tale', env: {}, images: { version: '1.0.0' }, override });
    expect(specs.find((s) => s.service === 'proxy')?.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '', hostPort: 8443, containerPort: 443, protocol: 'tcp' },
    ]);
  });

  it('does not quote the offending source line (it may hold a secret)', () => {
    const text = 'services:\n  rag:\n    environment:\n      TOKEN: "hunter2-secret" junk\n';
    expect(() => parseComposeOverride(text, FILE)).toThrow(expect.objectContaining({ code: 'OVERRIDE_INVALID' }));
    expect(() => parseComposeOverride(text, FILE)).not.toThrow(/hunter2/);
  });

  it('reports YAML syntax errors and duplicate keys as invalid', () => {
    expect(() => parseComposeOverride('services: [', FILE)).toThrow(expect.objectContaining({ code: 'OVERRIDE_INVALID' }));
    expect(() => parseComposeOverride('services:\n  rag: {}\n  rag: {}\n', FILE)).toThrow(expect.objectContaining({ code: 'OVERRIDE_INVALID' }));
  });

  it('changes the generated specs: image pin and disabled db', () => {
    const override = parseComposeOverride(
      "services:\n  crawler:\n    image: ghcr.io/me/crawler:fix\n  db:\n    profiles: ['disabled']\n",
      FILE,
    );
    const base = {
      projectId: 'p-123456',
      deploymentDir: '/srv/tale',
      env: { POSTGRES_URL: 'postgresql://tale:x@pg:5432' },
      images: { version: '1.0.0' },
      override,
    };
    expect(statefulSpecs(base).map((s) => s.service)).toEqual(['proxy', 'convex']);
    expect(colorSpecs(base, 'blue').find((s) => s.service === 'crawler')?.image).toBe('ghcr.io/me/crawler:fix');
  });
});

describe('readComposeOverride', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'override-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('returns no override when neither file exists', async () => {
    expect(await readComposeOverride(localDir(dir))).toEqual({ override: {}, file: null, warnings: [] });
  });

  it('reads .yaml alone, and prefers .yml with a warning when both exist', async () => {
    await fs.writeFile(path.join(dir, 'compose.override.yaml'), 'services:\n  rag:\n    image: a/b:1\n');
    expect((await readComposeOverride(localDir(dir))).override).toEqual({ rag: { image: 'a/b:1' } });
    await fs.writeFile(path.join(dir, 'compose.override.yml'), 'services:\n  rag:\n    image: c/d:2\n');
    const loaded = await readComposeOverride(localDir(dir));
    expect(loaded.override).toEqual({ rag: { image: 'c/d:2' } });
    expect(loaded.file).toBe(path.join(dir, 'compose.override.yml'));
    expect(loaded.warnings).toEqual([expect.stringContaining('using compose.override.yml')]);
  });
});
