import type Docker from 'dockerode';

/**
 * Bytes of every image layer on the host, as `docker system df` counts them (LayersSize), each
 * layer once however many images share it. Engine 20.10 runs one disk-usage call at a time and
 * refuses a second: the caller treats a failure as "not measured".
 */
export async function layerBytes(docker: Docker): Promise<number> {
  const usage = (await docker.df()) as { LayersSize?: unknown };
  if (typeof usage.LayersSize !== 'number') throw new Error('Docker did not report the size of its layers');
  return usage.LayersSize;
}
