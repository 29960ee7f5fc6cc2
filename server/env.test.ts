import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-env-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('parseEnv', () => {
  it('applies the defaults and stores a generated session secret with mode 0600', () => {
    const dataDir = tmp();
    const env = parseEnv({ DATA_DIR: dataDir });
    expect(env.deployDir).toBe(path.join(dataDir, 'deploy'));
    expect(env.docker).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(env.secureCookies).toBe(false);
    expect(env.sessionSecret.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, 'session-secret');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(parseEnv({ DATA_DIR: dataDir }).sessionSecret).toBe(env.sessionSecret);
  });

  it('honours DOCKER_HOST, PUBLIC_URL and a given secret', () => {
    const env = parseEnv({
      DATA_DIR: tmp(),
      DOCKER_HOST: 'tcp://127.0.0.1:2375',
      PUBLIC_URL: 'https://console.example.com',
      SESSION_SECRET: 'x'.repeat(40),
    });
    expect(env.docker).toEqual({ host: '127.0.0.1', port: 2375 });
    expect(env.secureCookies).toBe(true);
    expect(env.sessionSecret).toBe('x'.repeat(40));
    expect(parseEnv({ DATA_DIR: tmp(), DOCKER_HOST: 'unix:///run/user/docker.sock' }).docker).toEqual({
      socketPath: '/run/user/docker.sock',
    });
  });

  it('refuses invalid values with one message naming each key', () => {
    const attempt = () =>
      parseEnv({ DATA_DIR: tmp(), DOCKER_HOST: 'ssh://host', PUBLIC_URL: 'ftp://x', SESSION_SECRET: 'short' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/^Invalid configuration:/);
    expect(message).toContain('DOCKER_HOST');
    expect(message).toContain('PUBLIC_URL');
    expect(message).toContain('SESSION_SECRET');
    expect(message).not.toContain('short');
  });

  it('reads the alerts’ thresholds (defaults: 5 min, 90 %, the deployment directory, every 5 min, 14 days) and refuses nonsense', () => {
    const dataDir = tmp();
    expect(parseEnv({ DATA_DIR: dataDir }).alerts).toEqual({ healthThresholdMs: 300_000, diskPercent: 90, memoryPercent: 90, diskPath: path.join(dataDir, 'deploy'), checkIntervalMs: 300_000, tlsDays: 14 });
    const env = parseEnv({ DATA_DIR: dataDir, ALERT_HEALTH_THRESHOLD_SECONDS: '10', ALERT_DISK_PERCENT: '80', ALERT_MEMORY_PERCENT: '95', ALERT_DISK_PATH: '/mnt/small', ALERT_CHECK_SECONDS: '2', ALERT_TLS_DAYS: '30' });
    expect(env.alerts).toEqual({ healthThresholdMs: 10_000, diskPercent: 80, memoryPercent: 95, diskPath: '/mnt/small', checkIntervalMs: 2000, tlsDays: 30 });
    for (const [key, value] of [['ALERT_DISK_PERCENT', '101'], ['ALERT_HEALTH_THRESHOLD_SECONDS', '0'], ['ALERT_DISK_PATH', 'relative'], ['ALERT_CHECK_SECONDS', '1.5']]) {
      expect(() => parseEnv({ DATA_DIR: dataDir, [key!]: value })).toThrow(key);
    }
  });
});
