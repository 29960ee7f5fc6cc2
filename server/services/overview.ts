import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import type { OverviewDto } from '@/lib/dto/overview';
import { getEnv } from '../env';
import { engineStatus } from '../docker/client';
import { requirePageUser } from '../auth/session';

export async function getOverview(): Promise<OverviewDto> {
  await requirePageUser('viewer');
  const { deployDir } = getEnv();
  const engine = await engineStatus();
  return {
    engine: engine.reachable ? { reachable: true, version: engine.version } : { reachable: false, reason: engine.reason },
    deployDir,
    initialised: fs.existsSync(path.join(deployDir, 'tale.json')),
  };
}
