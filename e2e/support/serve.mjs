// Starts the console for the browser tests on an empty data directory, so every run walks
// the first-run flow from scratch.
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = process.env.E2E_DATA_DIR;
if (!dataDir || !dataDir.includes(`${path.sep}.tmp${path.sep}`)) throw new Error('E2E_DATA_DIR must point into .tmp/');
fs.rmSync(dataDir, { recursive: true, force: true });

const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs')], { stdio: 'inherit', env: process.env });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 1));
