import type { Check, CheckResult, PortHolder } from './types';

// The proxy publishes the project's HTTP and HTTPS ports (80 and 443 unless Settings › Published
// ports says otherwise). Each must be free, or held by this project's own proxy; anything else
// holding one makes the new proxy fail to start.

function holderName(h: PortHolder): string {
  if (h.kind === 'container') return `the container ${h.name}`;
  if (h.name) return `the process ${h.name}${h.pid !== null ? ` (pid ${h.pid})` : ''}`;
  return 'a process the console cannot name (it may run in another container or as another user)';
}

export function decidePorts(ports: { http: number; https: number }, holders: { http: PortHolder[]; https: PortHolder[] }, proxyContainer: string | null): CheckResult {
  const ours = (h: PortHolder) => h.kind === 'container' && h.name === proxyContainer;
  const describe = (port: number, list: PortHolder[]) => {
    // The engine's docker-proxy listens for a published port: the container names it better.
    const containers = list.filter((h) => h.kind === 'container');
    const relevant = containers.length > 0 ? containers : list;
    const others = relevant.filter((h) => !ours(h));
    return { port, free: relevant.length === 0, ours: relevant.some(ours), others };
  };
  const both = [describe(ports.http, holders.http), describe(ports.https, holders.https)];
  const taken = both.filter((p) => p.others.length > 0);
  const figures = {
    httpPort: ports.http,
    httpsPort: ports.https,
    httpHeldBy: both[0]!.others.map(holderName).join(', ') || (both[0]!.ours ? 'our proxy' : null),
    httpsHeldBy: both[1]!.others.map(holderName).join(', ') || (both[1]!.ours ? 'our proxy' : null),
  };
  if (taken.length > 0) {
    return {
      status: 'fail',
      summary: taken.map((p) => `Port ${p.port} is held by ${p.others.map(holderName).join(' and ')}.`).join(' '),
      fix: 'Stop what holds the port, or publish the proxy on other ports (Settings › Published ports) and put your other proxy in front of it.',
      figures,
    };
  }
  const state = (p: (typeof both)[number]) => (p.ours ? `${p.port} is held by this project's proxy` : `${p.port} is free`);
  return { status: 'pass', summary: `${both.map(state).join('; ')}.`, fix: null, figures };
}

export const portsCheck: Check = {
  id: 'ports',
  title: 'HTTP and HTTPS ports',
  run: async (port, ctx) => {
    const [http, https] = await Promise.all([port.portHolders(ctx.httpPort), port.portHolders(ctx.httpsPort)]);
    return decidePorts({ http: ctx.httpPort, https: ctx.httpsPort }, { http, https }, ctx.proxyContainer);
  },
};
