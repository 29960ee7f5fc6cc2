import path from 'node:path';

// File names the Tale CLI uses inside a deployment directory (docs/tale-cli.md#deployment-directory-and-state-files); both tools must agree on them.
export const TALE_JSON = 'tale.json';
export const ENV_FILE = '.env';
export const STATE_DIR = '.tale';

export const projectPaths = (dir: string) => ({
  taleJson: path.join(dir, TALE_JSON),
  env: path.join(dir, ENV_FILE),
  stateDir: path.join(dir, STATE_DIR),
  deploymentColor: path.join(dir, STATE_DIR, 'deployment-color'),
  previousVersion: path.join(dir, STATE_DIR, 'deployment-previous-version'),
  deploymentLock: path.join(dir, STATE_DIR, 'deployment-lock'),
  migrations: path.join(dir, STATE_DIR, 'migrations.json'),
  // Ours, not the CLI's: backups of files the console replaced.
  backups: path.join(dir, STATE_DIR, 'backups'),
  overrideYml: path.join(dir, 'compose.override.yml'),
  overrideYaml: path.join(dir, 'compose.override.yaml'),
  gitignore: path.join(dir, '.gitignore'),
});
