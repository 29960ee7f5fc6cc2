import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { firstHostAddress } from './subnet-gateway';

// A command run once from a network, in a short-lived container: the external-database wizard
// signs in to the server from Tale's network this way (server/postgres/stack-reach.ts). The image
// must already be on the host (never pulled); the argv is an array and secrets travel in the
// container's environment, never on its command line; the container is removed whatever happens.

export interface ProbeSpec {
  /** Names the container `<name>-<random>`. */
  name: string;
  image: string;
  network: string;
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  labels: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Host paths mounted into it (`/host/path:/in/container:ro`): the preflight reads the Docker data root's free space this way. */
  binds?: readonly string[];
}

export interface ProbeResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface NetworkProbe {
  run(spec: ProbeSpec): Promise<ProbeResult>;
  /**
   * A local image matching `reference` (`repo:tag`, or `repo` for its newest tag), or null: what a
   * probe may run without pulling.
   */
  localImage(reference: string): Promise<string | null>;
  /** The gateway of a network's first IPAM pool and its subnet; nulls when the network is missing. */
  networkAddresses(network: string): Promise<{ gateway: string | null; subnet: string | null }>;
}

const MAX_OUTPUT = 16 * 1024;

/** Splits a non-TTY log answer (8-byte frame headers) into stdout and stderr. */
export function demuxFrames(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    const payload = buf.subarray(i + 8, i + 8 + size);
    (buf[i] === 2 ? err : out).push(payload);
    i += 8 + size;
  }
  const text = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8').slice(0, MAX_OUTPUT);
  return { stdout: text(out), stderr: text(err) };
}

/**
 * A short-lived container that runs one command of an image on a network, for the probe here and
 * the one-shot streams (one-shot-stream.ts): a random suffix on the name, the image's own entrypoint
 * replaced (the db image's would start a server), the environment as given (credentials never on
 * the command line), and host.docker.internal as Tale's services have it.
 */
export function commandContainer(spec: { name: string; image: string; argv: readonly string[]; env: Readonly<Record<string, string>>; labels: Readonly<Record<string, string>>; network: string }) {
  return {
    name: `${spec.name}-${randomBytes(4).toString('hex')}`,
    Image: spec.image,
    Entrypoint: [spec.argv[0]!],
    Cmd: spec.argv.slice(1),
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: { ...spec.labels },
    Tty: false,
    // As Tale's services have it (docs/tale-cli.md#compose-file), so an address they resolve resolves here.
    HostConfig: { NetworkMode: spec.network, ExtraHosts: ['host.docker.internal:host-gateway'] },
  };
}

export function createNetworkProbe(docker: Docker): NetworkProbe {
  return {
    async run(spec) {
      const base = commandContainer(spec);
      const container = await docker.createContainer({
        ...base,
        HostConfig: { ...base.HostConfig, Memory: 128 * 1024 * 1024, ...(spec.binds ? { Binds: [...spec.binds] } : {}) },
      });
      try {
        await container.start();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), spec.timeoutMs)));
        const waited = await Promise.race([container.wait() as Promise<{ StatusCode: number }>, deadline]).finally(() => clearTimeout(timer));
        if (waited === 'timeout') {
          await container.kill().catch(() => undefined);
          return { exitCode: null, stdout: '', stderr: `no answer within ${spec.timeoutMs / 1000} s` };
        }
        const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
        return { exitCode: waited.StatusCode, ...demuxFrames(Buffer.isBuffer(logs) ? logs : Buffer.from(logs)) };
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
    },
    async localImage(reference) {
      const images = await docker.listImages({ filters: JSON.stringify({ reference: [reference] }) });
      const tags = images.sort((a, b) => b.Created - a.Created).flatMap((i) => i.RepoTags ?? []);
      return tags.find((t) => t === reference || t.startsWith(`${reference}:`)) ?? null;
    },
    async networkAddresses(network) {
      try {
        const info = await docker.getNetwork(network).inspect();
        const pool = (info.IPAM?.Config ?? [])[0] as { Gateway?: string; Subnet?: string } | undefined;
        const subnet = pool?.Subnet ?? null;
        return { gateway: pool?.Gateway || (subnet ? firstHostAddress(subnet) : null), subnet };
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return { gateway: null, subnet: null };
        throw err;
      }
    },
  };
}
