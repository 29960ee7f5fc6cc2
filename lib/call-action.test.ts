import { describe, expect, it } from 'vitest';
import { changeAction, readAction } from './call-action';

const noWait = async () => {};

describe('server action calls over a connection that drops', () => {
  it('sends a read again once, and answers its second result', async () => {
    let calls = 0;
    const res = await readAction(async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return { ok: true as const, data: 'plan' };
    }, noWait);
    expect(res).toEqual({ ok: true, data: 'plan' });
    expect(calls).toBe(2);
  });

  it('answers a read lost twice as an error instead of throwing', async () => {
    const res = await readAction(async () => {
      throw new TypeError('Failed to fetch');
    }, noWait);
    expect(res).toMatchObject({ ok: false, code: 'CONNECTION_LOST' });
  });

  it('never sends a change twice, and says it may have started', async () => {
    let calls = 0;
    const res = await changeAction(async () => {
      calls += 1;
      throw new TypeError('Failed to fetch');
    });
    expect(calls).toBe(1);
    expect(res).toMatchObject({ ok: false, code: 'CONNECTION_LOST', message: expect.stringContaining('look at the history') });
  });
});
