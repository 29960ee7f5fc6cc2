import fs from 'node:fs';
import path from 'node:path';
import { freeLoopbackPort } from '../fixtures/free-port';

/**
 * Makes a test deployment's proxy publish on free loopback ports instead of Tale's 80/443, which
 * the shared test machine must never bind: a compose.override.yml with `ports: !override`, as an
 * operator would write one (server/project/compose-override.ts).
 */
export async function publishProxyOnLoopback(deploymentDir: string): Promise<{ http: number; https: number }> {
  const http = await freeLoopbackPort();
  const https = await freeLoopbackPort();
  const yaml = `services:\n  proxy:\n    ports: !override ['127.0.0.1:${http}:80', '127.0.0.1:${https}:443']\n`;
  fs.writeFileSync(path.join(deploymentDir, 'compose.override.yml'), yaml);
  return { http, https };
}
