import type { Check, CheckResult, SocketFacts } from './types';

// Whoever can write to the Docker socket is root on the host. The console must be able to (it is
// how it works), and nobody else should: a world-writable socket hands root to every local user.

export function decideSocket(s: SocketFacts): CheckResult {
  if (s.kind === 'tcp') {
    return {
      status: 'warn',
      summary: `The Docker Engine is reached over TCP at ${s.host}:${s.port}; whoever reaches that port controls the host.`,
      fix: 'Make sure the port is reachable from this machine only or protected with TLS client certificates; the local socket is safer.',
      figures: { endpoint: `${s.host}:${s.port}` },
    };
  }
  const mode = `0${(s.mode & 0o777).toString(8)}`;
  const figures = { path: s.path, mode, uid: s.uid, gid: s.gid };
  if (s.access === 'missing') return { status: 'fail', summary: `There is no Docker socket at ${s.path}.`, fix: 'Start the Docker Engine, or set DOCKER_HOST to where it listens.', figures };
  if (s.access === 'denied') {
    return {
      status: 'fail',
      summary: `The console may not use the Docker socket ${s.path} (mode ${mode}, group ${s.gid}).`,
      fix: `Run the console with the socket's group (gid ${s.gid}; in compose: group_add: ["${s.gid}"]).`,
      figures,
    };
  }
  if (s.mode & 0o002) {
    return {
      status: 'warn',
      summary: `The Docker socket ${s.path} is writable by every user (mode ${mode}): any local account can become root.`,
      fix: `chmod 660 ${s.path} (owner root, group docker).`,
      figures,
    };
  }
  return { status: 'pass', summary: `The console may use ${s.path} (mode ${mode}), and other users may not.`, fix: null, figures };
}

export const dockerSocketCheck: Check = {
  id: 'docker-socket',
  title: 'Docker socket permissions',
  run: async (port) => decideSocket(await port.socket()),
};
