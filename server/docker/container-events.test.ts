import { describe, expect, it } from 'vitest';
import { parseEvent } from './container-events';

const line = (o: unknown) => JSON.stringify(o);

describe('parseEvent (one line of Docker’s event stream)', () => {
  it('reads a health change, its labels and Docker’s nanosecond time', () => {
    const e = parseEvent(
      line({
        Type: 'container',
        Action: 'health_status: unhealthy',
        Actor: { ID: 'abc', Attributes: { name: 'p1-platform-blue', image: 'x', 'com.docker.compose.project': 'p1-blue' } },
        time: 1700000000,
        timeNano: 1700000000123456789,
      }),
    );
    expect(e).toMatchObject({ action: 'health_status', health: 'unhealthy', name: 'p1-platform-blue', at: 1700000000123, exitCode: null });
    expect(e?.labels).toEqual({ 'com.docker.compose.project': 'p1-blue' });
  });

  it('reads a die’s exit code and a kill’s signal', () => {
    expect(parseEvent(line({ Type: 'container', Action: 'die', Actor: { ID: 'a', Attributes: { name: 'n', exitCode: '137' } }, time: 1 }))).toMatchObject({ action: 'die', exitCode: 137, at: 1000 });
    expect(parseEvent(line({ Type: 'container', Action: 'kill', Actor: { ID: 'a', Attributes: { name: 'n', signal: '9' } }, time: 1 }))?.signal).toBe('9');
  });

  it('ignores other types, other actions and broken lines', () => {
    expect(parseEvent(line({ Type: 'network', Action: 'connect', Actor: { ID: 'a' } }))).toBeNull();
    expect(parseEvent(line({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'a' } }))).toBeNull();
    expect(parseEvent('{not json')).toBeNull();
  });
});
