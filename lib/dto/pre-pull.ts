/**
 * The background pre-pull (server/services/pre-pull.ts) as the overview and the API show it:
 * `off`, `pulling` (with progress), `ready` (the next release's images are on this host, with
 * their disk cost), `failed` (the last try, retried next round) or `idle` (nothing newer to pull).
 */
export type PrePullStatusDto = {
  enabled: boolean;
  intervalMinutes: number;
  state: 'off' | 'idle' | 'pulling' | 'ready' | 'failed';
  /** The release pulled, being pulled or that failed; null when idle or off. */
  version: string | null;
  /** 0 to 1 while pulling (the mean of the images' pull bars). */
  progress: number | null;
  /**
   * What the pull added to Docker's layer storage (`docker system df` LayersSize after minus
   * before): the new images' layers that were not on this host yet. Null when not measured.
   */
  bytes: number | null;
  /** The pre-pull operation (history link). */
  operationId: string | null;
  finishedAt: string | null;
  error: { code: string; message: string } | null;
  /** When the watcher last looked, and what it found (e.g. "no newer release than 1.1.0"). */
  lastCheck: { at: string; outcome: string } | null;
  updatedBy: string | null;
  updatedAt: string | null;
};
