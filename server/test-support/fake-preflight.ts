import type { PreflightPort } from '../preflight/types';

const GB = 1024 ** 3;

/** A host on which every preflight check passes; a test overrides the figures it is about. */
export function fakePreflightPort(overrides: Partial<PreflightPort> = {}): PreflightPort {
  const now = () => new Date('2026-01-01T00:00:00Z');
  return {
    engine: async () => ({ version: '24.0.7', apiVersion: '1.43', systemTime: now(), dataRoot: '/var/lib/docker' }),
    hostMemory: async () => ({ totalBytes: 16 * GB, availableBytes: 12 * GB }),
    colourMemory: async () => 1 * GB,
    releaseImageBytes: async () => 3 * GB,
    dataRootDisk: async (path) => ({ path, freeBytes: 100 * GB, totalBytes: 200 * GB, via: 'statfs' }),
    pathDisk: async (path) => ({ path, freeBytes: 100 * GB, totalBytes: 200 * GB, via: 'statfs' }),
    portHolders: async () => [],
    socket: async () => ({ kind: 'unix', path: '/var/run/docker.sock', mode: 0o140660, uid: 0, gid: 999, access: 'ok' }),
    lookup: async () => ['203.0.113.7'],
    localAddresses: async () => ['127.0.0.1', '203.0.113.7'],
    now,
    ...overrides,
  };
}
