import type { PrePullStatusDto } from './dto/pre-pull';
import { formatBytes } from './format-usage';

/**
 * The pre-pull beside the upgrade button: "1.2.0 ready (pulled, 1.4 GiB)", "Pulling 1.2.0 in the
 * background: 45%", "Background pre-pull: off". Null when there is nothing to say (nothing newer).
 */
export function prePullWords(p: PrePullStatusDto | null): string | null {
  if (!p) return null;
  switch (p.state) {
    case 'off':
      return 'Background pre-pull: off';
    case 'pulling':
      return `Pulling ${p.version ?? 'the next release'} in the background: ${Math.floor((p.progress ?? 0) * 100)}%`;
    case 'ready':
      return `${p.version} ready (pulled${p.bytes === null ? '' : `, ${formatBytes(p.bytes)} on disk`})`;
    case 'failed':
      return `Pre-pull of ${p.version} failed: ${p.error?.message ?? 'see the operation'} It is tried again in the next round.`;
    default:
      return null;
  }
}
