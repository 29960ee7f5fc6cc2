// A minimal EventSource for Node tests: reads our SSE frames off a fetch body.

export type SseEvent = { event: string; id?: string; data: string };

export async function readSse(
  url: string,
  opts: { cookie?: string; authorization?: string; lastEventId?: string; signal: AbortSignal; onEvent: (e: SseEvent) => void | 'stop' },
): Promise<number> {
  const res = await fetch(url, {
    headers: {
      ...(opts.cookie ? { Cookie: opts.cookie } : {}),
      ...(opts.authorization ? { Authorization: opts.authorization } : {}),
      Accept: 'text/event-stream',
      ...(opts.lastEventId ? { 'Last-Event-ID': opts.lastEventId } : {}),
    },
    signal: opts.signal,
  });
  if (!res.body) return res.status;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let carry = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      carry += decoder.decode(value, { stream: true });
      let end = carry.indexOf('\n\n');
      while (end !== -1) {
        const raw = carry.slice(0, end);
        carry = carry.slice(end + 2);
        end = carry.indexOf('\n\n');
        const ev: SseEvent = { event: 'message', data: '' };
        for (const line of raw.split('\n')) {
          if (line.startsWith('event: ')) ev.event = line.slice(7);
          else if (line.startsWith('id: ')) ev.id = line.slice(4);
          else if (line.startsWith('data: ')) ev.data += line.slice(6);
        }
        if (raw.startsWith(':') || raw.startsWith('retry:')) continue;
        if (opts.onEvent(ev) === 'stop') {
          await reader.cancel();
          return res.status;
        }
      }
    }
  } catch (err) {
    if (!opts.signal.aborted) throw err;
  }
  return res.status;
}
