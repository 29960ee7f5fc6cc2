import { z } from 'zod';
import type { Cursor } from './log-follower';

// The SSE event id: every followed container's cursor, so a reconnect (Last-Event-ID) resumes
// each one exactly where the browser stopped.

const shape = z.record(z.string().max(200), z.tuple([z.string().max(40), z.number().int().min(0)]));

export function encodeCursors(cursors: Map<string, Cursor>): string {
  const obj = Object.fromEntries([...cursors].map(([c, v]) => [c, [v.ts, v.seen]]));
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

export function decodeCursors(id: string | null): Map<string, Cursor> {
  if (!id || id.length > 8192) return new Map();
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(id, 'base64url').toString('utf8')));
    if (!parsed.success) return new Map();
    return new Map(Object.entries(parsed.data).map(([c, [ts, seen]]) => [c, { ts, seen }]));
  } catch {
    return new Map();
  }
}
