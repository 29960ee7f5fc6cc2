import { afterEach, describe, expect, it } from 'vitest';
import { insertOperation } from '../operations/operation-store';
import { fakeRuntime, type FakeRuntime } from '../test-support/fake-runtime';
import { operationEventsResponse, operationHere } from './operation-events';

// The database holds every environment's operations; a runtime finds only its own environment's,
// so a role granted on one environment never reaches another's operations through its URL.

let f: FakeRuntime | null = null;
afterEach(() => {
  f?.dispose();
  f = null;
});

const started = (rt: FakeRuntime['rt'], environmentId: string) => {
  const row = insertOperation(rt.db, { kind: 'backup', params: {}, actor: null }, environmentId);
  if ('busy' in row) throw new Error('busy');
  return row.id;
};

describe('operationHere', () => {
  it('finds an operation of the runtime’s environment and not one of another', () => {
    f = fakeRuntime();
    const here = started(f.rt, 'local');
    const there = started(f.rt, 'staging');
    expect(operationHere(f.rt, here)).toMatchObject({ id: here, environmentId: 'local' });
    expect(operationHere(f.rt, there)).toBeNull();
    expect(operationHere(f.rt, 'not-a-uuid')).toBeNull();
  });

  it('answers 404 for another environment’s event stream', async () => {
    f = fakeRuntime();
    const there = started(f.rt, 'staging');
    const res = operationEventsResponse(f.rt, there, new Request('http://console.test/api/v1/operations/x/events'));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
