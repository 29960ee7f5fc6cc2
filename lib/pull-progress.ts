import type { OperationEventDto } from './dto/operations';

// Per-image pull progress from the timeline's pull events (the runner keeps a status change and
// at most two readings a second per layer). Downloading counts for the first half of a layer,
// extracting for the second, as Docker's own progress bars do.

export type ImagePull = { image: string; fraction: number; done: boolean; layers: number; detail: string };

function layerFraction(status: string, current?: number, total?: number): number {
  const part = typeof current === 'number' && typeof total === 'number' && total > 0 ? Math.min(1, current / total) : 0;
  if (/^(Pull complete|Already exists)/.test(status)) return 1;
  if (status.startsWith('Downloading')) return part / 2;
  if (/^(Download complete|Verifying Checksum)/.test(status)) return 0.5;
  if (status.startsWith('Extracting')) return 0.5 + part / 2;
  return 0;
}

export function pullProgress(events: readonly OperationEventDto[]): ImagePull[] {
  const images = new Map<string, { layers: Map<string, number>; done: boolean; detail: string }>();
  for (const e of events) {
    if (e.step !== 'pull' || typeof e.data?.image !== 'string') continue;
    const d = e.data;
    const image = d.image as string;
    const entry = images.get(image) ?? { layers: new Map<string, number>(), done: false, detail: 'waiting' };
    images.set(image, entry);
    const status = typeof d.status === 'string' ? d.status : '';
    if (typeof d.layer === 'string') {
      entry.layers.set(d.layer, layerFraction(status, d.current as number | undefined, d.total as number | undefined));
      entry.detail = status;
    } else if (status === 'pulled' || e.status === 'succeeded') {
      entry.done = true;
      entry.detail = 'pulled';
    } else if (status === 'present') {
      // Already on the host by digest (the background pre-pull, or an earlier deploy): not pulled.
      entry.done = true;
      entry.detail = 'already pulled';
    } else if (status) {
      entry.detail = status;
    }
  }
  return [...images].map(([image, { layers, done, detail }]) => {
    const sum = [...layers.values()].reduce((a, b) => a + b, 0);
    const fraction = done ? 1 : layers.size ? sum / layers.size : 0;
    return { image, fraction, done, layers: layers.size, detail };
  });
}
