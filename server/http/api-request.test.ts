import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiQuery, MAX_JSON_BODY_BYTES, parseJsonBody, resultResponse, startedResponse } from './api-request';

const schema = z.strictObject({ version: z.string().optional(), all: z.boolean().default(false) });
const post = (body: BodyInit | null, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
  new Request('http://console.test/api/v1/deployments', { method: 'POST', body, headers });

async function refusal(req: Request) {
  const r = await parseJsonBody(req, schema);
  if (r.ok) throw new Error('expected a refusal');
  return { status: r.response.status, body: (await r.response.json()) as { code: string; fieldErrors?: Record<string, string[]> } };
}

describe('parseJsonBody', () => {
  it('parses a valid body and applies defaults', async () => {
    expect(await parseJsonBody(post('{"version":"1.2.3"}'), schema)).toEqual({ ok: true, data: { version: '1.2.3', all: false } });
  });

  it('takes no body as {}, but not an empty body declared as JSON', async () => {
    expect(await parseJsonBody(post(null, {}), schema)).toEqual({ ok: true, data: { all: false } });
    expect(await parseJsonBody(post('  ', {}), schema)).toEqual({ ok: true, data: { all: false } });
    expect((await refusal(post(''))).body.code).toBe('MALFORMED_JSON');
  });

  it('refuses unknown keys and wrong types with field errors', async () => {
    const r = await refusal(post('{"version":"1.2.3","force":true}'));
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('INVALID_INPUT');
    expect((await refusal(post('{"all":"yes"}'))).body.fieldErrors).toHaveProperty('all');
    expect((await refusal(post('[1]'))).body.code).toBe('INVALID_INPUT');
  });

  it('refuses malformed JSON, other media types and oversized bodies', async () => {
    expect(await refusal(post('{"version":'))).toEqual({ status: 400, body: { code: 'MALFORMED_JSON', message: 'The body is not valid JSON (send {} for the defaults).' } });
    expect((await refusal(post('version=1', { 'Content-Type': 'application/x-www-form-urlencoded' }))).status).toBe(415);
    const big = JSON.stringify({ version: 'x'.repeat(MAX_JSON_BODY_BYTES) });
    expect((await refusal(post(big))).body.code).toBe('BODY_TOO_LARGE');
    // A body that lies about its length is cut off while it is read.
    const stream = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big)), c.close()) });
    const lying = new Request('http://console.test/x', { method: 'POST', body: stream, headers: { 'Content-Type': 'application/json' }, duplex: 'half' } as RequestInit);
    expect((await refusal(lying)).status).toBe(413);
  });
});

describe('resultResponse', () => {
  it('maps codes to statuses and hides nothing but the ok flag', async () => {
    const busy = resultResponse({ ok: false, code: 'OPERATION_IN_PROGRESS', message: 'busy' });
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ code: 'OPERATION_IN_PROGRESS', message: 'busy' });
    expect(resultResponse({ ok: false, code: 'SOMETHING_ELSE', message: 'x' }).status).toBe(422);
    const ok = resultResponse({ ok: true, data: { id: 'a' } }, 202);
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ id: 'a' });
  });
});

describe('startedResponse', () => {
  it('points a remote environment\'s operation at its own environment, a local one at the plain URL', () => {
    const id = '0b9c2a4e-7d1f-4a57-9d0e-3f5b8c6a1e22';
    expect(startedResponse({ ok: true, data: { id, environmentId: 'local' } }).headers.get('location')).toBe(`/api/v1/operations/${id}`);
    expect(startedResponse({ ok: true, data: { id, environmentId: 'staging' } }).headers.get('location')).toBe(`/api/v1/operations/${id}?env=staging`);
    const refused = startedResponse({ ok: false, code: 'OPERATION_IN_PROGRESS', message: 'busy' });
    expect([refused.status, refused.headers.get('location')]).toEqual([409, null]);
  });
});

describe('apiQuery', () => {
  it('leaves out env, which withApiUser reads, and keeps every other key for the strict schemas', () => {
    const q = apiQuery(new Request('http://console.test/api/v1/versions?env=staging&limit=5&env=x'));
    expect([...q.entries()]).toEqual([['limit', '5']]);
  });
});
