import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..', '..');

/** The console under test keeps its data here; serve.mjs empties it before every run. */
export const e2eDataDir = path.join(projectRoot, '.tmp', 'e2e-data');
