// The server side of the console image's entrypoint (container-entrypoint.sh runs it twice):
//  - `--prepare`, as root: decides who the server runs as and prints `uid gid groups`:
//    the deployment directory's owner, so files the console writes there stay the operator's
//    (the `tale` CLI keeps working), or the image's user when root owns it; plus the Docker
//    socket's group, detected now because it differs between hosts. It also hands the data
//    volume to that user.
//  - then, as that user: runs the standalone server in this process, with the request preload.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const IMAGE_USER = { uid: 10001, gid: 10001 };

/** The unix socket path of DOCKER_HOST (default /var/run/docker.sock), or null for tcp://. */
function dockerSocketPath(dockerHost) {
  if (!dockerHost) return '/var/run/docker.sock';
  return dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : null;
}

/**
 * Who the server runs as, from the owners of the paths it needs (`null` = missing).
 * Pure, so it is unit-tested without root.
 */
function planUser({ socket, deployDir, deployDirEmpty }) {
  const owner = deployDir && deployDir.uid !== 0 ? { uid: deployDir.uid, gid: deployDir.gid } : IMAGE_USER;
  const groups = [owner.gid];
  if (socket && !groups.includes(socket.gid)) groups.push(socket.gid);
  // Docker creates a missing bind-mount source as root; an empty one is ours to take.
  const chownDeployDir = Boolean(deployDir && deployDir.uid === 0 && deployDirEmpty);
  const deployDirUnwritable = Boolean(deployDir && deployDir.uid === 0 && !deployDirEmpty);
  return { ...owner, groups, chownDeployDir, deployDirUnwritable };
}

function statOrNull(p) {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** Gives a tree to uid:gid without following symlinks (lchown), skipping entries already theirs. */
function chownTree(dir, uid, gid) {
  const st = fs.lstatSync(dir);
  if (st.uid !== uid || st.gid !== gid) fs.lchownSync(dir, uid, gid);
  if (!st.isDirectory()) return;
  for (const name of fs.readdirSync(dir)) chownTree(path.join(dir, name), uid, gid);
}

function log(message) {
  // stderr: in --prepare, stdout carries the plan.
  console.error(`[tale-console] ${message}`);
}

function prepare(env) {
  const socketPath = dockerSocketPath(env.DOCKER_HOST);
  const socket = socketPath ? statOrNull(socketPath) : null;
  const deployDirPath = env.DEPLOY_DIR || '/deploy';
  const deployDir = statOrNull(deployDirPath);
  const deployDirEmpty = deployDir?.isDirectory() ? fs.readdirSync(deployDirPath).length === 0 : false;
  const plan = planUser({ socket, deployDir, deployDirEmpty });

  if (socketPath && !socket) log(`No Docker socket at ${socketPath}; the console will show the engine as unreachable.`);
  if (plan.chownDeployDir) fs.chownSync(deployDirPath, plan.uid, plan.gid);
  if (plan.deployDirUnwritable) {
    log(`${deployDirPath} belongs to root; running as uid ${plan.uid}, which cannot write it. ` +
      `Give the directory to a non-root user (chown -R) so the console runs as that user.`);
  }
  const dataDir = env.DATA_DIR || '/data';
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownTree(dataDir, plan.uid, plan.gid);

  const fields = [plan.uid, plan.gid, ...plan.groups];
  if (!fields.every((n) => Number.isInteger(n) && n >= 0)) throw new Error(`unexpected ids: ${fields.join(' ')}`);
  log(`Running as uid ${plan.uid}, groups ${plan.groups.join(',')}${socket ? ` (Docker socket group ${socket.gid})` : ''}.`);
  return `${plan.uid} ${plan.gid} ${plan.groups.join(',')}\n`;
}

function main() {
  const env = process.env;
  if (process.argv.includes('--prepare')) {
    process.stdout.write(prepare(env));
    return;
  }
  if (process.getuid() === 0) throw new Error('refusing to run the server as root');
  const port = env.PORT || '3000';
  env.NODE_ENV = 'production';
  env.HOME = env.DATA_DIR || '/data';
  // next-auth's own URL, as scripts/start.mjs sets it outside the container.
  env.NEXTAUTH_URL = env.PUBLIC_URL || `http://localhost:${port}`;
  // As PID 1 the default signal actions do nothing; stop promptly on `docker stop`. A deploy that
  // was running is marked interrupted at the next start (server/bootstrap.ts).
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
  require('./remote-address.cjs');
  require('./server.js');
}

if (require.main === module) main();

module.exports = { dockerSocketPath, planUser, IMAGE_USER };
