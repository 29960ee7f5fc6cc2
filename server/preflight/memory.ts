import { formatBytes } from '@/lib/format-usage';
import { GB, type Check, type CheckResult } from './types';

// A blue-green deploy runs both colours of platform, rag and crawler side by side until the
// switch: the host needs room for a second copy of what the live colour uses now. Read from
// /proc/meminfo (MemAvailable), which inside the console's container is the host's: a memory limit
// set on the console's own cgroup is not the stack's and is not counted.

/** Assumed for a second colour when none runs yet (a first deploy): Tale's platform, rag and crawler together. */
export const DEFAULT_COLOUR_BYTES = 2 * GB;
/** Kept free beyond the second colour, for the stateful services' growth and the host itself. */
export const MEMORY_HEADROOM_BYTES = 1 * GB;

export function decideMemory(availableBytes: number, totalBytes: number, colourBytes: number | null): CheckResult {
  const needed = colourBytes ?? DEFAULT_COLOUR_BYTES;
  const figures = { availableBytes, totalBytes, secondColourBytes: needed, headroomBytes: MEMORY_HEADROOM_BYTES, estimated: colourBytes === null };
  const what = colourBytes === null ? `about ${formatBytes(needed)} assumed for a first colour` : `${formatBytes(needed)}, what the live colour's platform, rag and crawler use now`;
  if (availableBytes < needed) {
    return {
      status: 'fail',
      summary: `${formatBytes(availableBytes)} of memory is available; a deploy starts a second colour that needs ${what}.`,
      fix: 'Free memory (stop other programs or containers, run Cleanup to remove an idle colour) or add memory to the host.',
      figures,
    };
  }
  if (availableBytes < needed + MEMORY_HEADROOM_BYTES) {
    return {
      status: 'warn',
      summary: `${formatBytes(availableBytes)} of memory is available: enough for a second colour (${what}) but less than ${formatBytes(MEMORY_HEADROOM_BYTES)} is left over while both run.`,
      fix: 'Free memory or add memory to the host before a busy deploy.',
      figures,
    };
  }
  return { status: 'pass', summary: `${formatBytes(availableBytes)} of ${formatBytes(totalBytes)} available; a second colour needs ${what}.`, fix: null, figures };
}

export const memoryCheck: Check = {
  id: 'memory',
  title: 'Memory for two colours',
  run: async (port, ctx) => {
    const [mem, colour] = await Promise.all([port.hostMemory(), ctx.projectId ? port.colourMemory(ctx.projectId) : Promise.resolve(null)]);
    return decideMemory(mem.availableBytes, mem.totalBytes, colour);
  },
};
