import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { colorSpecs } from '@/server/stack/generate-stack';
import { createBody } from './docker-adapter';
import { HostPathError, hostPathTranslator, ownContainerCandidates, ownContainerMounts } from './host-paths';

const ID = 'a'.repeat(12) + 'b'.repeat(52);
const MOUNTS = [
  { source: '/srv/tale', destination: '/deploy' },
  { source: '/srv/tale/agents-shared', destination: '/deploy/agents' },
  { source: '/var/lib/docker/volumes/tale-console_console-data/_data', destination: '/data' },
];

describe('hostPathTranslator', () => {
  it('maps a console path through the longest matching mount of its container', () => {
    const t = hostPathTranslator(MOUNTS);
    expect(t('/deploy')).toBe('/srv/tale');
    expect(t('/deploy/workflows/a.json')).toBe('/srv/tale/workflows/a.json');
    expect(t('/deploy/agents/x')).toBe('/srv/tale/agents-shared/x');
    expect(t('/deploy/./branding/../providers')).toBe('/srv/tale/providers');
  });

  it('refuses a path outside every mount instead of letting Docker create an empty host directory', () => {
    const t = hostPathTranslator(MOUNTS);
    expect(() => t('/deployment/agents')).toThrow(HostPathError);
    expect(() => t('/deploy/../etc')).toThrow(HostPathError);
    expect(() => t('relative/agents')).toThrow(HostPathError);
  });

  it('keeps paths as they are when the console runs on the host', () => {
    expect(hostPathTranslator(null)('/srv/tale/agents')).toBe('/srv/tale/agents');
  });
});

describe('ownContainerCandidates', () => {
  it('takes the id from mountinfo, then the cgroup path', () => {
    const mountinfo = [
      '612 590 0:52 / / rw,relatime master:1 - overlay overlay rw',
      `640 612 254:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw`,
    ].join('\n');
    const cgroup = `0::/system.slice/docker-${'c'.repeat(64)}.scope\n`;
    expect(ownContainerCandidates({ mountinfo, cgroup })).toEqual([ID, 'c'.repeat(64)]);
    // A sandbox with /.dockerenv but none of an engine's paths is not a container of this engine.
    expect(ownContainerCandidates({ mountinfo: '612 590 0:52 / / rw - overlay overlay rw\n', cgroup: '0::/\n' })).toEqual([]);
  });
});

describe('ownContainerMounts', () => {
  const fakeDocker = (known: Record<string, Array<{ Source: string; Destination: string }>>) => ({
    getContainer: (id: string) => ({
      inspect: () => (known[id] ? Promise.resolve({ Mounts: known[id] }) : Promise.reject(Object.assign(new Error('no such container'), { statusCode: 404 }))),
    }),
  }) as unknown as Parameters<typeof ownContainerMounts>[0];

  function fakeRoot(files: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'host-paths-'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      fs.writeFileSync(path.join(root, name), text);
    }
    return root;
  }

  const mountinfo = `640 612 254:1 /var/lib/docker/containers/${ID}/hostname /etc/hostname rw - ext4 /dev/vda1 rw\n`;

  it('is null outside a container, even with a /.dockerenv', async () => {
    expect(await ownContainerMounts(fakeDocker({}), fakeRoot({ '.dockerenv': '', 'proc/self/cgroup': '0::/\n' }))).toBeNull();
  });

  it('inspects the container its mountinfo names', async () => {
    const docker = fakeDocker({ [ID]: [{ Source: '/srv/tale', Destination: '/deploy' }] });
    expect(await ownContainerMounts(docker, fakeRoot({ 'proc/self/mountinfo': mountinfo }))).toEqual([{ source: '/srv/tale', destination: '/deploy' }]);
  });

  it('is null in a container of another engine (Docker-in-Docker), whose paths this engine shares', async () => {
    expect(await ownContainerMounts(fakeDocker({}), fakeRoot({ 'proc/self/mountinfo': mountinfo }))).toBeNull();
  });
});

describe('createBody bind mounts', () => {
  it('hands Docker the host path of a deployment directory, after the named volumes', () => {
    const [platform] = colorSpecs(
      { projectId: 'acme', deploymentDir: '/deploy', env: {}, images: { version: '1.0.0' } },
      'blue',
    );
    if (!platform) throw new Error('no spec');
    const spec = { ...platform, binds: [{ source: '/deploy/agents', target: '/app/data/agents', readOnly: true }] };
    const mounts = createBody(spec, hostPathTranslator(MOUNTS)).HostConfig?.Mounts ?? [];
    expect(mounts.at(-1)).toEqual({ Type: 'bind', Source: '/srv/tale/agents-shared', Target: '/app/data/agents', ReadOnly: true });
    expect(mounts.slice(0, -1).every((m) => m.Type === 'volume')).toBe(true);
    expect(createBody(spec, hostPathTranslator(MOUNTS)).Labels?.['com.docker.compose.project.working_dir']).toBe('/srv/tale');
  });
});
