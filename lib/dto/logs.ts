export type LogLineDto = {
  /** RFC3339Nano timestamp from Docker. */
  ts: string;
  stream: 'stdout' | 'stderr';
  /** Service name (platform, db, …) so merged views can tell lines apart. */
  service: string;
  text: string;
};

/** `interrupted`: the engine broke off the follow; it is reopened from where it was and `running` follows. */
export type LogStatusDto = { service: string; container: string; state: 'running' | 'stopped' | 'removed' | 'interrupted' };

/**
 * The mark where a follow of "the active colour" moved to the container now serving (a deploy
 * switched colours): the lines after it are that container's, from its start. `ts`: when it moved.
 */
export type LogMarkerDto = { ts: string; service: string; container: string; version: string | null };
