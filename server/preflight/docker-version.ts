import type { Check, CheckResult } from './types';

// Tale's production guide asks for Docker Engine 24 or newer. The console itself speaks Engine API
// 1.41 (Docker 20.10) and is tested on 20.10 (docs/testbed.md): deploy, rollback, logs and backups
// work there; what the seed's 24+ buys is the `tale` CLI's own compose features and Docker 23's
// volume prune rules (docs/tale-cli.md). Older than 20.10 is refused: the API calls it needs are missing.

export const SEED_MAJOR = 24;
const OLDEST = [20, 10] as const;

export function decideDockerVersion(version: string, apiVersion: string): CheckResult {
  const figures = { version, apiVersion, required: `${SEED_MAJOR}.0` };
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return { status: 'unknown', summary: `The Docker Engine reports version "${version}", which is not a version number.`, fix: 'Check `docker version` on the host.', figures };
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major >= SEED_MAJOR) return { status: 'pass', summary: `Docker Engine ${version} (API ${apiVersion}).`, fix: null, figures };
  if (major > OLDEST[0] || (major === OLDEST[0] && minor >= OLDEST[1])) {
    return {
      status: 'warn',
      summary: `Docker Engine ${version} is older than the ${SEED_MAJOR}.0 Tale asks for. The console works with it (it needs Engine API 1.41, Docker 20.10): deploy, rollback, logs and backups run; the tale CLI's own commands may not.`,
      fix: `Upgrade the Docker Engine to ${SEED_MAJOR} or newer (docs.docker.com/engine/install) when you can.`,
      figures,
    };
  }
  return {
    status: 'fail',
    summary: `Docker Engine ${version} is too old: the console needs Engine API 1.41 (Docker 20.10) and Tale asks for ${SEED_MAJOR}.0.`,
    fix: `Upgrade the Docker Engine to ${SEED_MAJOR} or newer (docs.docker.com/engine/install).`,
    figures,
  };
}

export const dockerVersionCheck: Check = {
  id: 'docker-version',
  title: 'Docker Engine version',
  run: async (port) => {
    const e = await port.engine();
    return decideDockerVersion(e.version, e.apiVersion);
  },
};
