// `npm start`: builds when the build is missing or older than the sources, then runs the
// standalone server with absolute data paths (the server changes its working directory).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const standalone = path.join(root, '.next', 'standalone');
const server = path.join(standalone, 'server.js');
const SOURCES = ['app', 'components', 'lib', 'server', 'public', 'instrumentation.ts', 'instrumentation-client.ts', 'proxy.ts', 'next.config.ts', 'package-lock.json'];

function newestMtime(p) {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return fs.readdirSync(p).reduce((m, name) => Math.max(m, newestMtime(path.join(p, name))), st.mtimeMs);
}

function needsBuild() {
  if (!fs.existsSync(server)) return true;
  const built = fs.statSync(server).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

function copyInto(from, to) {
  if (fs.existsSync(from)) fs.cpSync(from, to, { recursive: true });
}

if (needsBuild() || process.argv.includes('--build')) {
  console.log('[tale-console] Building (first start or sources changed)…');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  // The standalone output leaves static assets and our migrations to the deployer.
  copyInto(path.join(root, '.next', 'static'), path.join(standalone, '.next', 'static'));
  copyInto(path.join(root, 'public'), path.join(standalone, 'public'));
  copyInto(path.join(root, 'server', 'db', 'migrations'), path.join(standalone, 'server', 'db', 'migrations'));
  fs.utimesSync(server, new Date(), new Date());
}

const port = process.env.PORT ?? '3000';
const hostname = process.env.HOSTNAME_BIND ?? process.env.HOST ?? '127.0.0.1';
const env = {
  ...process.env,
  NODE_ENV: 'production',
  PORT: port,
  HOSTNAME: hostname,
  DATA_DIR: path.resolve(root, process.env.DATA_DIR ?? 'data'),
  ...(process.env.DEPLOY_DIR ? { DEPLOY_DIR: path.resolve(root, process.env.DEPLOY_DIR) } : {}),
  NEXTAUTH_URL: process.env.PUBLIC_URL ?? `http://${hostname === '0.0.0.0' ? 'localhost' : hostname}:${port}`,
  // Node's 5 s keep-alive timeout closes an idle connection just as a client that kept it (an API
  // client's agent, a reverse proxy's upstream pool) sends on it: that request dies with
  // ECONNRESET (seen in CI from Playwright's request client). Longer than nginx's 60 s upstream
  // keep-alive, so the client side closes first. Next's standalone server reads this variable.
  KEEP_ALIVE_TIMEOUT: process.env.KEEP_ALIVE_TIMEOUT ?? '65000',
};

if (process.argv.includes('--build-only')) process.exit(0);

const displayHost = hostname === '0.0.0.0' ? 'localhost' : hostname;
console.log(`[tale-console] Starting on http://${displayHost}:${port} (data in ${env.DATA_DIR})`);
const child = spawn(process.execPath, ['--require', path.join(root, 'scripts', 'remote-address.cjs'), server], {
  cwd: standalone,
  env,
  stdio: 'inherit',
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
