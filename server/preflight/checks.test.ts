import { describe, expect, it } from 'vitest';
import { fakePreflightPort } from '../test-support/fake-preflight';
import { decideClock } from './clock';
import { decideDisk, DEFAULT_RELEASE_BYTES, DISK_HEADROOM_BYTES } from './disk';
import { decideSocket } from './docker-socket';
import { decideDockerVersion } from './docker-version';
import { listeningInodes, parseMeminfo } from './host-port';
import { decideDns } from './letsencrypt-dns';
import { decideMemory, DEFAULT_COLOUR_BYTES, MEMORY_HEADROOM_BYTES } from './memory';
import { decidePorts } from './ports';
import { runPreflight, worst } from './runner';
import { GB, MB, type PreflightContext } from './types';

const ctx: PreflightContext = { projectId: 'pf1', proxyContainer: 'pf1-proxy', httpPort: 80, httpsPort: 443, tlsMode: 'selfsigned', host: 'tale.example.com', deployDir: '/srv/tale' };
const disk = (freeBytes: number) => ({ path: '/var/lib/docker', freeBytes, totalBytes: 100 * GB, via: 'statfs' as const });

describe('Docker Engine version', () => {
  it('passes 24 and newer, warns on 20.10 to 23 saying what works, fails older', () => {
    expect(decideDockerVersion('24.0.7', '1.43').status).toBe('pass');
    expect(decideDockerVersion('27.3.1', '1.47').status).toBe('pass');
    const old = decideDockerVersion('20.10.24+dfsg1', '1.41');
    expect(old.status).toBe('warn');
    expect(old.summary).toMatch(/deploy, rollback, logs and backups run/);
    expect(decideDockerVersion('23.0.1', '1.42').status).toBe('warn');
    expect(decideDockerVersion('19.03.15', '1.40').status).toBe('fail');
    expect(decideDockerVersion('dev', '1.44').status).toBe('unknown');
  });
});

describe('memory for two colours', () => {
  it('fails below a second colour, warns below it plus headroom, passes above', () => {
    expect(decideMemory(1 * GB, 8 * GB, 2 * GB).status).toBe('fail');
    expect(decideMemory(2 * GB + MEMORY_HEADROOM_BYTES - 1, 8 * GB, 2 * GB).status).toBe('warn');
    expect(decideMemory(2 * GB + MEMORY_HEADROOM_BYTES, 8 * GB, 2 * GB).status).toBe('pass');
  });
  it('assumes a default colour when none runs, and says so', () => {
    const r = decideMemory(DEFAULT_COLOUR_BYTES - 1, 8 * GB, null);
    expect(r.status).toBe('fail');
    expect(r.figures.estimated).toBe(true);
    expect(r.summary).toMatch(/assumed/);
  });
});

describe('disk for the next release', () => {
  it('fails when the data root cannot hold the release plus headroom', () => {
    const r = decideDisk(disk(3 * GB + DISK_HEADROOM_BYTES - 1), null, 3 * GB);
    expect(r.status).toBe('fail');
    expect(r.fix).toMatch(/docker image prune/);
    expect(decideDisk(disk(3 * GB + DISK_HEADROOM_BYTES), null, 3 * GB).status).toBe('pass');
  });
  it('estimates a first release and fails a tiny deployment directory filesystem', () => {
    expect(decideDisk(disk(DEFAULT_RELEASE_BYTES + DISK_HEADROOM_BYTES - 1), null, null).status).toBe('fail');
    const r = decideDisk(disk(50 * GB), { path: '/srv/tale', freeBytes: 10 * MB, totalBytes: GB, via: 'statfs' }, 3 * GB);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/deployment directory/);
  });
});

describe('HTTP and HTTPS ports', () => {
  it('passes free ports and ports held by our proxy', () => {
    expect(decidePorts({ http: 80, https: 443 }, { http: [], https: [] }, 'pf1-proxy').status).toBe('pass');
    const ours = decidePorts({ http: 80, https: 443 }, { http: [{ kind: 'container', name: 'pf1-proxy' }], https: [{ kind: 'container', name: 'pf1-proxy' }] }, 'pf1-proxy');
    expect(ours.status).toBe('pass');
    expect(ours.summary).toMatch(/80 is held by this project's proxy/);
  });
  it('fails a port held by another container or process, naming it', () => {
    const r = decidePorts({ http: 8080, https: 443 }, { http: [{ kind: 'process', name: 'nginx', pid: 42 }], https: [{ kind: 'container', name: 'other-proxy' }] }, 'pf1-proxy');
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('Port 8080 is held by the process nginx (pid 42)');
    expect(r.summary).toContain('Port 443 is held by the container other-proxy');
  });
  it('names the container rather than the docker-proxy that listens for it', () => {
    const r = decidePorts({ http: 80, https: 443 }, { http: [{ kind: 'container', name: 'pf1-proxy' }, { kind: 'process', name: 'docker-proxy', pid: 9 }], https: [] }, 'pf1-proxy');
    expect(r.status).toBe('pass');
  });
});

describe('Docker socket', () => {
  it('fails when the console may not use it or it is missing, warns when everyone may', () => {
    expect(decideSocket({ kind: 'unix', path: '/s', mode: 0o140660, uid: 0, gid: 999, access: 'ok' }).status).toBe('pass');
    expect(decideSocket({ kind: 'unix', path: '/s', mode: 0o140666, uid: 0, gid: 999, access: 'ok' }).status).toBe('warn');
    const denied = decideSocket({ kind: 'unix', path: '/s', mode: 0o140660, uid: 0, gid: 999, access: 'denied' });
    expect(denied.status).toBe('fail');
    expect(denied.fix).toContain('999');
    expect(decideSocket({ kind: 'unix', path: '/s', mode: 0, uid: -1, gid: -1, access: 'missing' }).status).toBe('fail');
    expect(decideSocket({ kind: 'tcp', host: 'docker', port: 2375 }).status).toBe('warn');
  });
});

describe('clock', () => {
  it('warns past a few seconds, counting the round trip in its favour', () => {
    expect(decideClock(1200, 10).status).toBe('pass');
    expect(decideClock(-9000, 10).status).toBe('warn');
    expect(decideClock(6000, 2000).status).toBe('pass');
  });
});

describe("Let's Encrypt DNS", () => {
  it('passes an address of this machine, warns on another, fails no record, unknown when DNS is unreachable', () => {
    expect(decideDns('t.example', { addresses: ['203.0.113.7'] }, ['203.0.113.7']).status).toBe('pass');
    expect(decideDns('t.example', { addresses: ['198.51.100.1'] }, ['203.0.113.7']).status).toBe('warn');
    expect(decideDns('t.example', { code: 'ENOTFOUND' }, []).status).toBe('fail');
    expect(decideDns('t.example', { code: 'EAI_AGAIN' }, []).status).toBe('unknown');
  });
});

describe('host figures', () => {
  it('reads MemTotal and MemAvailable, and refuses a meminfo without them', () => {
    expect(parseMeminfo('MemTotal:       24684512 kB\nMemFree: 1 kB\nMemAvailable:   22836004 kB\n')).toEqual({ totalBytes: 24684512 * 1024, availableBytes: 22836004 * 1024 });
    expect(() => parseMeminfo('MemTotal: 1 kB\n')).toThrow(/MemAvailable/);
  });
  it('finds the listening sockets of a port in /proc/net/tcp', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4711 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:0050 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 4712 1 0000000000000000 100 0 0 10 0',
      '   2: 00000000:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4713 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(listeningInodes(table, 80)).toEqual(['4711']);
    expect(listeningInodes(table, 443)).toEqual(['4713']);
    expect(listeningInodes(table, 8080)).toEqual([]);
  });
});

describe('the runner', () => {
  it('reports a check that cannot read its figure as unknown, never as pass', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const r = await runPreflight(fakePreflightPort({ hostMemory: async () => Promise.reject(denied) }), ctx);
    const memory = r.checks.find((c) => c.id === 'memory')!;
    expect(memory.status).toBe('unknown');
    expect(memory.summary).toMatch(/no permission/);
    expect(r.status).toBe('unknown');
    expect(r.failing).toEqual([]);
  });
  it('reports a check that does not answer in time as unknown', async () => {
    const r = await runPreflight(fakePreflightPort({ socket: () => new Promise(() => {}) }), ctx, { timeoutMs: 20 });
    expect(r.checks.find((c) => c.id === 'docker-socket')).toMatchObject({ status: 'unknown', summary: expect.stringMatching(/no answer within/) });
  });
  it("lists the failing checks, and runs Let's Encrypt's only under that TLS mode", async () => {
    const r = await runPreflight(fakePreflightPort({ portHolders: async (p) => (p === 80 ? [{ kind: 'process', name: 'node', pid: 7 }] : []) }), ctx);
    expect(r.failing).toEqual(['ports']);
    expect(r.status).toBe('fail');
    expect(r.checks.map((c) => c.id)).not.toContain('letsencrypt-dns');
    const le = await runPreflight(fakePreflightPort(), { ...ctx, tlsMode: 'letsencrypt' });
    expect(le.checks.find((c) => c.id === 'letsencrypt-dns')?.status).toBe('pass');
  });
  it('orders statuses fail > unknown > warn > pass', () => {
    expect(worst(['pass', 'warn'])).toBe('warn');
    expect(worst(['warn', 'unknown', 'pass'])).toBe('unknown');
    expect(worst(['unknown', 'fail'])).toBe('fail');
    expect(worst([])).toBe('pass');
  });
});
