import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

type Owner = { uid: number; gid: number };
type Plan = Owner & { groups: number[]; chownDeployDir: boolean; deployDirUnwritable: boolean };
const entrypoint = createRequire(import.meta.url)('./container-entrypoint.cjs') as {
  dockerSocketPath(dockerHost: string | undefined): string | null;
  planUser(input: { socket: Owner | null; deployDir: Owner | null; deployDirEmpty: boolean }): Plan;
  IMAGE_USER: Owner;
};

describe('container entrypoint', () => {
  it('adds the Docker socket group detected at start to the deployment owner', () => {
    const plan = entrypoint.planUser({ socket: { uid: 0, gid: 998 }, deployDir: { uid: 1000, gid: 1000 }, deployDirEmpty: false });
    expect(plan).toEqual({ uid: 1000, gid: 1000, groups: [1000, 998], chownDeployDir: false, deployDirUnwritable: false });
  });

  it('never runs as root: a root-owned deployment directory means the image user', () => {
    const empty = entrypoint.planUser({ socket: { uid: 0, gid: 0 }, deployDir: { uid: 0, gid: 0 }, deployDirEmpty: true });
    expect(empty).toMatchObject({ ...entrypoint.IMAGE_USER, groups: [10001, 0], chownDeployDir: true, deployDirUnwritable: false });
    const used = entrypoint.planUser({ socket: null, deployDir: { uid: 0, gid: 0 }, deployDirEmpty: false });
    expect(used).toMatchObject({ ...entrypoint.IMAGE_USER, groups: [10001], chownDeployDir: false, deployDirUnwritable: true });
  });

  it('does not repeat a group the user already has', () => {
    expect(entrypoint.planUser({ socket: { uid: 0, gid: 1000 }, deployDir: { uid: 1000, gid: 1000 }, deployDirEmpty: false }).groups).toEqual([1000]);
  });

  it('finds the socket from DOCKER_HOST', () => {
    expect(entrypoint.dockerSocketPath(undefined)).toBe('/var/run/docker.sock');
    expect(entrypoint.dockerSocketPath('unix:///run/user/1000/docker.sock')).toBe('/run/user/1000/docker.sock');
    expect(entrypoint.dockerSocketPath('tcp://10.0.0.2:2375')).toBeNull();
  });
});
