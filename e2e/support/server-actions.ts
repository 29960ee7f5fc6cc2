import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths';

type Manifest = { node: Record<string, { filename: string; exportedName: string }> };

/** The action ids of the build the tests run against, keyed by `file#export`. */
export function actionIds(): Map<string, string> {
  const file = path.join(projectRoot, '.next', 'server', 'server-reference-manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  const ids = new Map<string, string>();
  for (const [id, entry] of Object.entries(manifest.node)) ids.set(`${entry.filename}#${entry.exportedName}`, id);
  return ids;
}

/** The id of a server action (`file#export`) in the build the tests run against. */
export function actionId(name: string): string {
  const id = actionIds().get(name);
  if (!id) throw new Error(`server action ${name} is missing from the build`);
  return id;
}

/**
 * Invokes a server action the way the browser does: a POST with its id and JSON arguments, from
 * the console's own origin (the console refuses an action without it). `origin` overrides the
 * Origin header; null leaves it out.
 */
export async function callAction(baseURL: string, actionId: string, args: unknown[], cookie?: string, opts: { origin?: string | null } = {}): Promise<string> {
  const origin = opts.origin === undefined ? new URL(baseURL).origin : opts.origin;
  const res = await fetch(`${baseURL}/`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Next-Action': actionId,
      'Content-Type': 'text/plain;charset=UTF-8',
      Accept: 'text/x-component',
      ...(origin === null ? {} : { Origin: origin }),
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: JSON.stringify(args),
  });
  return `${res.status}\n${await res.text()}`;
}

/** What a server action returns: the console's ActionResult, as it arrives over the wire. */
export type ActionAnswer<T = unknown> = { ok: true; data: T } | { ok: false; code: string; message: string; fieldErrors?: Record<string, string[]> };

/** The `{ ok, … }` result in a server action's RSC answer (from callAction), or null when there is none. */
export function actionResult<T = unknown>(answer: string): ActionAnswer<T> | null {
  for (const line of answer.split('\n')) {
    const json = line.slice(line.indexOf(':') + 1);
    if (!json.startsWith('{') || !json.includes('"ok":')) continue;
    try {
      const value = JSON.parse(json) as { ok?: unknown };
      if (typeof value.ok === 'boolean') return value as never;
    } catch {
      // Not a JSON row of the stream.
    }
  }
  return null;
}

/** actionResult of an answer that must carry one: throws with the start of the answer otherwise. */
export function requireActionResult<T = unknown>(answer: string): ActionAnswer<T> {
  const result = actionResult<T>(answer);
  if (!result) throw new Error(`no action result in: ${answer.slice(0, 500)}`);
  return result;
}

/** Calls a server action by name (`file#export`) and reads its result: callAction + actionResult. */
export async function runAction<T = unknown>(baseURL: string, name: string, args: unknown[], cookie?: string): Promise<ActionAnswer<T> | null> {
  return actionResult<T>(await callAction(baseURL, actionId(name), args, cookie));
}

/**
 * React's encodeReply escapes a string that starts with `$` (it marks references in the reply
 * format) as `$$`; a raw one never reaches the action as sent. Escaping as the browser does makes
 * a hostile value arrive at the console's validation as it was typed.
 */
export function asReply(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('$') ? `$${value}` : value;
  if (Array.isArray(value)) return value.map(asReply);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asReply(v)]));
  return value;
}
