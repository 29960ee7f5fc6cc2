import { describe, expect, it } from 'vitest';
import type { LogLine } from '../docker/log-lines';
import type { ContainerLogEnd, ContainerLogOptions, ContainerRunState } from '../docker/container-logs';
import { ContainerFollower, type FollowerDeps } from './log-follower';

// A scripted engine: each open() replays the lines the real engine would send for its options
// (from one history, or each container's own), and its stream ends as `ends` says (default: a
// normal end).
function engine(history: LogLine[] | Record<string, LogLine[]>, states: ContainerRunState[], ends: ContainerLogEnd[] = []) {
  const opened: ContainerLogOptions[] = [];
  const slept: number[] = [];
  const deps: FollowerDeps = {
    state: async () => states.shift() ?? 'gone',
    version: async (c) => /-green$/.test(c) ? '1.1.0' : '1.0.0',
    sleep: async (ms) => void slept.push(ms),
    open: async (c, options, onLine) => {
      opened.push(options);
      const since = options.since ? Number(options.since) : -Infinity;
      const lines = (Array.isArray(history) ? history : (history[c] ?? [])).filter((l) => Date.parse(l.ts) / 1000 >= Math.floor(since * 1000) / 1000);
      const picked = options.tail !== undefined ? lines.slice(-options.tail) : lines;
      picked.forEach(onLine);
      return { pause() {}, resume() {}, close() {}, done: Promise.resolve(ends.shift() ?? 'ended') };
    },
  };
  return { deps, opened, slept };
}

const line = (ts: string, text: string, stream: LogLine['stream'] = 'stdout'): LogLine => ({ ts, text, stream });

describe('ContainerFollower', () => {
  it('reads history once without following', async () => {
    const { deps } = engine([line('2026-01-01T00:00:01.000000000Z', 'a'), line('2026-01-01T00:00:02.000000000Z', 'b')], ['running']);
    const got: string[] = [];
    const f = new ContainerFollower(deps, 'c', { follow: false, tail: 1 }, null, (l) => got.push(l.text), () => {});
    await f.run(new AbortController().signal);
    expect(got).toEqual(['b']);
  });

  it('follows a restart without duplicates or gaps, even for lines sharing a timestamp', async () => {
    const history = [
      line('2026-01-01T00:00:01.000000000Z', 'a'),
      line('2026-01-01T00:00:02.000000000Z', 'b1'),
      line('2026-01-01T00:00:02.000000000Z', 'b2', 'stderr'),
    ];
    const { deps, opened } = engine(history, ['running', 'stopped', 'running', 'gone']);
    const got: string[] = [];
    const states: string[] = [];
    const f = new ContainerFollower(deps, 'c', { follow: true, tail: 10 }, null, (l) => got.push(l.text), (s) => states.push(s));
    // After the first stream ends the container "restarts" and writes one more line at the same second.
    const realOpen = deps.open;
    let n = 0;
    deps.open = async (c, o, onLine) => {
      if (n++ === 1) history.push(line('2026-01-01T00:00:02.000000000Z', 'b3'), line('2026-01-01T00:00:03.000000000Z', 'c'));
      return realOpen(c, o, onLine);
    };
    await f.run(new AbortController().signal);
    expect(got).toEqual(['a', 'b1', 'b2', 'b3', 'c']);
    expect(states).toEqual(['stopped', 'running', 'removed']);
    expect(opened[1]).toEqual({ follow: true, since: `${Date.UTC(2026, 0, 1, 0, 0, 2) / 1000}.000000000`, until: undefined });
  });

  it('resumes from a cursor handed back by a reconnecting client', async () => {
    const history = [line('2026-01-01T00:00:01.000000000Z', 'a'), line('2026-01-01T00:00:02.000000000Z', 'b'), line('2026-01-01T00:00:03.000000000Z', 'c')];
    const { deps } = engine(history, ['running', 'gone']);
    const got: string[] = [];
    const f = new ContainerFollower(deps, 'c', { follow: true, tail: 500 }, { ts: '2026-01-01T00:00:02.000000000Z', seen: 1 }, (l) => got.push(l.text), () => {});
    await f.run(new AbortController().signal);
    expect(got).toEqual(['c']);
    expect(f.position()).toEqual({ ts: '2026-01-01T00:00:03.000000000Z', seen: 1 });
  });

  it('reports a removed container and stops', async () => {
    const { deps, opened } = engine([], ['gone']);
    const states: string[] = [];
    await new ContainerFollower(deps, 'c', { follow: true }, null, () => {}, (s) => states.push(s)).run(new AbortController().signal);
    expect(states).toEqual(['removed']);
    expect(opened).toHaveLength(0);
  });
});

describe('ContainerFollower after an interrupted stream', () => {
  const written = () => [line('2026-01-01T00:00:01.000000000Z', 'a'), line('2026-01-01T00:00:02.000000000Z', 'b')];

  it('says so, waits, and reopens the follow from the cursor without duplicates', async () => {
    const history = written();
    const { deps, opened, slept } = engine(history, ['running', 'running', 'gone'], ['interrupted']);
    const realOpen = deps.open;
    let n = 0;
    deps.open = async (c, o, onLine) => {
      if (n++ === 1) history.push(line('2026-01-01T00:00:03.000000000Z', 'c'));
      return realOpen(c, o, onLine);
    };
    const got: string[] = [];
    const states: string[] = [];
    await new ContainerFollower(deps, 'c', { follow: true, tail: 10 }, null, (l) => got.push(l.text), (s) => states.push(s)).run(new AbortController().signal);
    expect(got).toEqual(['a', 'b', 'c']);
    expect(states).toEqual(['interrupted', 'running', 'removed']);
    expect(slept).toHaveLength(1);
    expect(opened[1]).toEqual({ follow: true, since: `${Date.UTC(2026, 0, 1, 0, 0, 2) / 1000}.000000000`, until: undefined });
  });

  it('keeps following when an inspect or an open fails once, and says so once', async () => {
    const { deps, opened, slept } = engine(written(), ['running', 'running', 'gone']);
    const realState = deps.state;
    const realOpen = deps.open;
    let inspects = 0;
    let opens = 0;
    deps.state = async (c) => {
      if (inspects++ === 0) throw new Error('timeout');
      return realState(c);
    };
    deps.open = async (c, o, onLine) => {
      if (opens++ === 0) throw new Error('socket hang up');
      return realOpen(c, o, onLine);
    };
    const got: string[] = [];
    const states: string[] = [];
    await new ContainerFollower(deps, 'c', { follow: true, tail: 10 }, null, (l) => got.push(l.text), (s) => states.push(s)).run(new AbortController().signal);
    expect(got).toEqual(['a', 'b']);
    expect(states).toEqual(['interrupted', 'running', 'removed']);
    expect(slept).toHaveLength(2);
    expect(opened).toHaveLength(1);
  });

  it('keeps following into the successor when asking for it fails once', async () => {
    const { deps, opened, slept } = engine(written(), ['gone', 'gone', 'running', 'gone']);
    let asked = 0;
    const successor = async () => {
      if (asked++ === 0) throw new Error('timeout');
      return asked === 2 ? 'c-green' : null;
    };
    const states: Array<[string, string]> = [];
    const follower = new ContainerFollower(deps, 'c-blue', { follow: true, tail: 10, successor }, null, () => {}, (s, c) => states.push([s, c]));
    await follower.run(new AbortController().signal);
    expect(states).toEqual([['interrupted', 'c-blue'], ['running', 'c-green'], ['removed', 'c-green']]);
    expect(slept).toHaveLength(1);
    expect(opened).toHaveLength(1);
  });

  it('lets a history read fail when the engine cannot be asked', async () => {
    const { deps } = engine(written(), ['running']);
    deps.state = async () => {
      throw new Error('timeout');
    };
    await expect(new ContainerFollower(deps, 'c', { follow: false }, null, () => {}, () => {}).run(new AbortController().signal)).rejects.toThrow('timeout');
  });

  it('rejects a history read the engine broke off instead of passing it off as complete', async () => {
    const { deps } = engine(written(), ['running'], ['interrupted']);
    const states: string[] = [];
    const run = new ContainerFollower(deps, 'c', { follow: false }, null, () => {}, (s) => states.push(s)).run(new AbortController().signal);
    await expect(run).rejects.toMatchObject({ code: 'LOG_STREAM_INTERRUPTED' });
    expect(states).toEqual([]);
  });

  it('does not reopen when the reader itself went away', async () => {
    const ctl = new AbortController();
    const { deps, opened } = engine(written(), ['running', 'running'], ['interrupted']);
    const realOpen = deps.open;
    deps.open = async (c, o, onLine) => {
      ctl.abort();
      return realOpen(c, o, onLine);
    };
    const states: string[] = [];
    await new ContainerFollower(deps, 'c', { follow: true }, null, () => {}, (s) => states.push(s)).run(ctl.signal);
    expect(opened).toHaveLength(1);
    expect(states).toEqual([]);
  });
});

describe('ContainerFollower across a colour switch', () => {
  // Green started (and wrote its start-up lines) while blue still served; blue wrote on until the
  // switch retired it.
  const logs = () => ({
    'c-blue': [line('2026-01-01T00:00:01.000000000Z', 'blue a'), line('2026-01-01T00:00:05.000000000Z', 'blue b')],
    'c-green': [
      line('2026-01-01T00:00:03.000000000Z', 'green listening'),
      line('2026-01-01T00:00:04.000000000Z', 'green ready'),
      line('2026-01-01T00:00:06.000000000Z', 'green serving'),
    ],
  });
  // blue: read, then retired; green: read, then removed with nothing after it.
  const successorOnce = () => {
    let asked = 0;
    return async () => (asked++ === 0 ? 'c-green' : null);
  };

  it('marks the move and reads the new container from its start, once', async () => {
    const { deps, opened } = engine(logs(), ['running', 'gone', 'running', 'gone']);
    const seen: string[] = [];
    const positions: Array<ReturnType<ContainerFollower['position']>> = [];
    const follower: ContainerFollower = new ContainerFollower(
      deps,
      'c-blue',
      { follow: true, tail: 10, successor: successorOnce() },
      null,
      (l) => {
        seen.push(l.text);
        positions.push(follower.position());
      },
      (s, c) => seen.push(`${s} ${c}`),
      (m) => {
        seen.push(`now following ${m.container}, ${m.version}`);
        positions.push(follower.position());
      },
    );
    await follower.run(new AbortController().signal);
    expect(seen).toEqual(['blue a', 'blue b', 'now following c-green, 1.1.0', 'running c-green', 'green listening', 'green ready', 'green serving', 'removed c-green']);
    // The new container from Docker's `since` 0, whatever tail the reader asked for.
    expect(opened[1]).toEqual({ follow: true, since: '0.000000000', until: undefined });

    // A reconnect hands back the cursor of the last event the browser got. Right after the mark:
    // the new container from its start; after its second line: only what came next.
    const resumeFrom = async (cursor: (typeof positions)[number]) => {
      const again = engine(logs(), ['running', 'gone']);
      const got: string[] = [];
      await new ContainerFollower(again.deps, 'c-green', { follow: true, tail: 10 }, cursor, (l) => got.push(l.text), () => {}).run(new AbortController().signal);
      return got;
    };
    expect(await resumeFrom(positions[2]!)).toEqual(['green listening', 'green ready', 'green serving']);
    expect(await resumeFrom(positions[4]!)).toEqual(['green serving']);
  });

  it('keeps the reader\'s own since for the new container', async () => {
    const { deps, opened } = engine(logs(), ['running', 'gone', 'running', 'gone']);
    const got: string[] = [];
    const since = `${Date.UTC(2026, 0, 1, 0, 0, 3) / 1000}.500000000`;
    await new ContainerFollower(deps, 'c-blue', { follow: true, since, successor: successorOnce() }, null, (l) => got.push(l.text), () => {}).run(new AbortController().signal);
    expect(got).toEqual(['blue b', 'green ready', 'green serving']);
    expect(opened[1]).toEqual({ follow: true, since, until: undefined });
  });

  it('still marks the move when the new container\'s version cannot be read', async () => {
    const { deps } = engine(logs(), ['running', 'gone', 'running', 'gone']);
    deps.version = async () => {
      throw new Error('timeout');
    };
    const moves: unknown[] = [];
    const got: string[] = [];
    await new ContainerFollower(deps, 'c-blue', { follow: true, successor: successorOnce() }, null, (l) => got.push(l.text), () => {}, (m) => moves.push(m)).run(
      new AbortController().signal,
    );
    expect(moves).toEqual([{ container: 'c-green', version: null }]);
    expect(got).toContain('green listening');
  });

  it('reads a new container that has already stopped before waiting for it to start again', async () => {
    const { deps } = engine(logs(), ['running', 'gone', 'stopped', 'stopped', 'gone']);
    const seen: string[] = [];
    await new ContainerFollower(deps, 'c-blue', { follow: true, successor: successorOnce() }, null, (l) => seen.push(l.text), (s, c) => seen.push(`${s} ${c}`)).run(
      new AbortController().signal,
    );
    expect(seen).toEqual(['blue a', 'blue b', 'running c-green', 'green listening', 'green ready', 'green serving', 'stopped c-green', 'removed c-green']);
  });

  it('reads a stopped container after a reconnect\'s cursor before waiting for it to start again', async () => {
    const { deps, opened } = engine(logs(), ['stopped', 'stopped', 'gone']);
    const seen: string[] = [];
    const cursor = { ts: '2026-01-01T00:00:04.000000000Z', seen: 1 };
    await new ContainerFollower(deps, 'c-green', { follow: true, tail: 10 }, cursor, (l) => seen.push(l.text), (s) => seen.push(s)).run(new AbortController().signal);
    expect(seen).toEqual(['green serving', 'stopped', 'removed']);
    expect(opened).toHaveLength(1);
  });

  it('follows a fixed colour as before: no successor, no mark', async () => {
    const { deps, opened } = engine(logs(), ['running', 'gone']);
    const moves: unknown[] = [];
    const states: string[] = [];
    await new ContainerFollower(deps, 'c-blue', { follow: true, tail: 1 }, null, () => {}, (s) => states.push(s), (m) => moves.push(m)).run(new AbortController().signal);
    expect(moves).toEqual([]);
    expect(states).toEqual(['removed']);
    expect(opened).toEqual([{ follow: true, tail: 1 }]);
  });
});

describe('ContainerFollower ordering', () => {
  it('delivers a stderr line that is a little older than the stdout line before it', async () => {
    const history = [
      line('2026-01-01T00:00:02.000000000Z', 'out later'),
      line('2026-01-01T00:00:01.500000000Z', 'err earlier', 'stderr'),
      line('2026-01-01T00:00:03.000000000Z', 'out last'),
    ];
    const { deps } = engine([], ['running', 'gone']);
    deps.open = async (_c, _o, onLine) => {
      history.forEach(onLine);
      return { pause() {}, resume() {}, close() {}, done: Promise.resolve('ended' as const) };
    };
    const got: string[] = [];
    await new ContainerFollower(deps, 'c', { follow: true }, null, (l) => got.push(l.text), () => {}).run(new AbortController().signal);
    expect(got).toEqual(['out later', 'err earlier', 'out last']);
  });
});

