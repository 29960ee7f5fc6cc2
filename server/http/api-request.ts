import 'server-only';
import type { z } from 'zod';
import type { ActionResult } from '@/lib/action-result';
import { LOCAL_ENVIRONMENT_ID } from '@/lib/schemas/environments';
import { invalidInput, statusOfCode } from './api-errors';

/** Request bodies of the JSON API are small objects; anything bigger is refused unread. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;

const fail = (status: number, code: string, message: string) => ({ ok: false as const, response: Response.json({ code, message }, { status }) });

/** Reads at most `limit` bytes; null when the body is longer. */
async function readCapped(req: Request, limit: number): Promise<string | null> {
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
}

/**
 * Parses a JSON API body with a strict schema. No body at all counts as `{}`, so POSTs whose fields
 * are all optional need none; a body, or a declared JSON one, must be `application/json` holding
 * valid JSON (an empty "JSON" body is malformed, not a request for the defaults), at most
 * MAX_JSON_BODY_BYTES.
 */
export async function parseJsonBody<S extends z.ZodType>(
  req: Request,
  schema: S,
): Promise<{ ok: true; data: z.output<S> } | { ok: false; response: Response }> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > MAX_JSON_BODY_BYTES) return fail(413, 'BODY_TOO_LARGE', `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes.`);
  const text = await readCapped(req, MAX_JSON_BODY_BYTES);
  if (text === null) return fail(413, 'BODY_TOO_LARGE', `Request bodies are limited to ${MAX_JSON_BODY_BYTES} bytes.`);
  let body: unknown = {};
  const type = req.headers.get('content-type') ?? '';
  const declaredJson = /^application\/json\s*(;|$)/i.test(type);
  if (text.trim() !== '' || declaredJson) {
    if (!declaredJson) return fail(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    try {
      body = JSON.parse(text);
    } catch {
      return fail(400, 'MALFORMED_JSON', 'The body is not valid JSON (send {} for the defaults).');
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, response: invalidInput(parsed.error) };
  return { ok: true, data: parsed.data };
}

/** A service's ActionResult as the API's answer: the data with `status`, or the coded refusal. */
export function resultResponse<T>(result: ActionResult<T>, status = 200, headers?: HeadersInit): Response {
  if (result.ok) return Response.json(result.data ?? null, { status, headers });
  const { code, message, fieldErrors } = result;
  return Response.json({ code, message, ...(fieldErrors ? { fieldErrors } : {}) }, { status: statusOfCode(code) });
}

/**
 * A started operation: 202 with its id, and where to follow it. An operation is reached through
 * its own environment's URL (docs/api.md#environments), so the Location names a remote one's `env`.
 */
export function startedResponse(result: ActionResult<{ id: string; environmentId?: string }>): Response {
  if (!result.ok) return resultResponse(result, 202);
  const env = result.data.environmentId;
  const query = env && env !== LOCAL_ENVIRONMENT_ID ? `?env=${encodeURIComponent(env)}` : '';
  return resultResponse(result, 202, { Location: `/api/v1/operations/${result.data.id}${query}` });
}

/**
 * A request's query without `env`: withApiUser reads that one to choose the environment, and the
 * routes' strict query schemas would otherwise refuse it as an unknown key.
 */
export function apiQuery(req: Request): URLSearchParams {
  const params = new URL(req.url).searchParams;
  params.delete('env');
  return params;
}
