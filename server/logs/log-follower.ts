import { CodedError } from '@/lib/errors';
import type { LogLine } from '../docker/log-lines';
import { fromDockerTime, timestampKey, toDockerTime } from '../docker/log-lines';
import type { ContainerLogHandle, ContainerLogOptions, ContainerRunState } from '../docker/container-logs';

/** Where a reader stands: the last timestamp delivered and how many lines carried exactly it. */
export type Cursor = { ts: string; seen: number };

export type FollowerDeps = {
  open(container: string, options: ContainerLogOptions, onLine: (line: LogLine) => void): Promise<ContainerLogHandle>;
  state(container: string): Promise<ContainerRunState>;
  /** The version the container runs (its label), for the mark where a follow moves to it. */
  version(container: string): Promise<string | null>;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
};

/**
 * What the reader is told about its container. `interrupted`: the engine broke off the stream; a
 * follow reopens it from the cursor and says `running` again once it reads.
 */
export type FollowerState = 'running' | 'stopped' | 'removed' | 'interrupted';

/** A follow moved to the container now serving (a deploy switched colours): what it runs. */
export type FollowerMove = { container: string; version: string | null };

/** Where a read of a whole container log stands before its first line (Docker's `since` 0). */
const BEFORE_ANY_LINE = '1970-01-01T00:00:00.000000000Z';

/** Pause before reopening a broken stream, so an engine that keeps failing is not hammered. */
const REOPEN_DELAY_MS = 1000;

export type FollowerOptions = {
  follow: boolean;
  tail?: number;
  since?: string;
  until?: string;
  /** For a follow of "the active colour": the container now serving, asked when ours is gone. */
  successor?: () => Promise<string | null>;
};

/**
 * Reads one container's log, across restarts when following, and never delivers a line twice:
 * a reopened stream starts at the cursor's timestamp (Docker's `since` is inclusive) and skips
 * the lines at that timestamp already delivered.
 */
export class ContainerFollower {
  private handle: ContainerLogHandle | null = null;
  private paused = false;
  private skipAtCursor = 0;
  private resuming = false;
  // This container has not been read yet (a reconnect's cursor, a move): read it once even when
  // it has stopped, so what it wrote before is not skipped while waiting for a restart.
  private unread = true;

  constructor(
    private readonly deps: FollowerDeps,
    private current: string,
    private readonly options: FollowerOptions,
    private cursor: Cursor | null,
    private readonly deliver: (line: LogLine) => void,
    private readonly onState: (state: FollowerState, container: string) => void,
    private readonly onMove: (move: FollowerMove) => void = () => {},
  ) {}

  get container(): string {
    return this.current;
  }

  position(): Cursor | null {
    return this.cursor;
  }

  pause(): void {
    this.paused = true;
    this.handle?.pause();
  }

  resume(): void {
    this.paused = false;
    this.handle?.resume();
  }

  private accept(line: LogLine): void {
    if (!line.ts) {
      this.deliver(line);
      return;
    }
    const key = timestampKey(line.ts);
    const at = this.cursor ? timestampKey(this.cursor.ts) : '';
    // A reopened stream replays from the cursor's timestamp: drop what was already delivered.
    // Only there: stdout and stderr are timestamped separately, so elsewhere a line may
    // legitimately arrive a little older than the one before it.
    if (this.resuming) {
      if (key < at) return;
      if (key === at && this.skipAtCursor > 0) {
        this.skipAtCursor--;
        return;
      }
      this.resuming = false;
    }
    if (!this.cursor || key > at) this.cursor = { ts: line.ts, seen: 1 };
    else if (key === at) this.cursor = { ts: this.cursor.ts, seen: this.cursor.seen + 1 };
    this.deliver(line);
  }

  private streamOptions(): ContainerLogOptions {
    if (!this.cursor) return { ...this.options };
    this.skipAtCursor = this.cursor.seen;
    this.resuming = true;
    // Resuming: everything from the cursor on, whatever tail was asked for first.
    return { follow: this.options.follow, since: toDockerTime(this.cursor.ts), until: this.options.until };
  }

  /**
   * Runs until the signal aborts, the container is removed, or (not following) the history ends.
   * A history read the engine broke off rejects with LOG_STREAM_INTERRUPTED rather than passing
   * for complete.
   */
  async run(signal: AbortSignal): Promise<void> {
    let announcedStop = false;
    let interrupted = false;
    // A follow outlives the engine's hiccups (an inspect or open that times out on a busy host):
    // it says `interrupted` and tries again, as it does for a stream broken off midway. A history
    // read has no second chance; its caller reports the failure.
    const brokenOff = async () => {
      if (!interrupted) this.onState('interrupted', this.current);
      interrupted = true;
      await this.deps.sleep(REOPEN_DELAY_MS, signal);
    };
    while (!signal.aborted) {
      let state: ContainerRunState;
      try {
        state = await this.deps.state(this.current);
      } catch (err) {
        if (!this.options.follow) throw err;
        await brokenOff();
        continue;
      }
      if (state === 'gone') {
        // A deploy retired our colour: carry on with the one that replaced it, from where we were.
        let next: string | null = null;
        try {
          next = this.options.follow && this.options.successor ? await this.options.successor() : null;
        } catch {
          // Asking which colour serves now timed out: ask again, as for a failed inspect.
          await brokenOff();
          continue;
        }
        if (next && next !== this.current) {
          this.current = next;
          // The new container started and wrote its start-up lines before the switch, so it is
          // read from its start (or the reader's own `since`), not from where the old one ended.
          // As a cursor, a reconnect after the move reads it from there too; none of its lines
          // was delivered before, so nothing repeats.
          this.cursor = { ts: this.options.since ? fromDockerTime(this.options.since) : BEFORE_ANY_LINE, seen: 0 };
          this.unread = true;
          // A version we cannot read only leaves the mark without one; the follow goes on.
          const version = await this.deps.version(next).catch(() => null);
          this.onMove({ container: next, version });
          this.onState('running', next);
          interrupted = false;
          continue;
        }
        this.onState('removed', this.current);
        return;
      }
      if (state === 'stopped' && this.options.follow && this.cursor && !this.unread) {
        // Already read up to the stop: wait for a restart instead of re-reading the history.
        if (!announcedStop) this.onState('stopped', this.current);
        announcedStop = true;
        interrupted = false;
        await this.deps.sleep(500, signal);
        continue;
      }
      if (announcedStop) this.onState('running', this.current);
      announcedStop = false;
      let handle: ContainerLogHandle;
      try {
        handle = await this.deps.open(this.current, this.streamOptions(), (l) => this.accept(l));
      } catch (err) {
        // Removed between the inspect and the open: the next turn finds it gone.
        if (!this.options.follow) throw err;
        if (!(err instanceof CodedError && err.code === 'CONTAINER_NOT_FOUND')) await brokenOff();
        continue;
      }
      this.handle = handle;
      if (this.paused) handle.pause();
      if (interrupted) this.onState('running', this.current);
      interrupted = false;
      const abort = () => handle.close();
      signal.addEventListener('abort', abort, { once: true });
      const end = await handle.done;
      signal.removeEventListener('abort', abort);
      this.handle = null;
      if (end === 'ended') this.unread = false;
      if (end === 'interrupted' && !signal.aborted) {
        if (!this.options.follow) {
          throw new CodedError('LOG_STREAM_INTERRUPTED', 'The Docker Engine broke off this log before its end; what arrived is incomplete.');
        }
        // Reopen from the cursor (no duplicates, no gap), or with the first options if nothing
        // was delivered yet.
        await brokenOff();
        continue;
      }
      if (!this.options.follow) return;
      if (!this.cursor) {
        // A follow that ended before any line: the container stopped; wait for it as above.
        this.cursor = { ts: new Date().toISOString(), seen: 0 };
        this.resuming = false;
      }
    }
  }

  close(): void {
    this.handle?.close();
  }
}
