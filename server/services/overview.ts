import 'server-only';
import fs from 'node:fs';
import path from 'node:path';
import type { OverviewDto } from '@/lib/dto/overview';
import { getEnv } from '../env';
import { requirePageUser } from '../auth/session';

export async function getOverview(): Promise<OverviewDto> {
  await requirePageUser('viewer');
  const { deployDir } = getEnv();
  // The engine's reachability comes with the stack status (currentStatus); asking twice per page
  // would double the Docker round trips of the busiest page.
  return {
    deployDir,
    initialised: fs.existsSync(path.join(deployDir, 'tale.json')),
  };
}
