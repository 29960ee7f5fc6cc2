import http from 'node:http';
import net from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asSocket, pooledDockerAgent } from './ssh-docker-agent';

afterEach(() => {
  vi.useRealTimers();
});

describe('asSocket', () => {
  it("gives an ssh channel the idle timeout node's http sets on its socket", () => {
    vi.useFakeTimers();
    const channel = new PassThrough();
    const socket = asSocket(channel as unknown as ClientChannel) as PassThrough & { setTimeout(ms: number, cb?: () => void): unknown };
    channel.on('data', () => {}); // http's own reader
    const fired = vi.fn();
    socket.setTimeout(10_000, fired);
    vi.advanceTimersByTime(9_000);
    channel.write('HTTP/1.1 200 OK\r\n'); // traffic restarts the idle clock
    vi.advanceTimersByTime(9_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1_001);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('has the socket methods http calls', () => {
    const socket = asSocket(new PassThrough() as unknown as ClientChannel) as unknown as Record<string, () => unknown>;
    for (const m of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) expect(typeof socket[m]).toBe('function');
  });
});

// The pooling over a fake channel factory: each "channel" is a TCP connection to a local HTTP
// server (what `docker system dial-stdio` gives: a byte stream to an HTTP server).
describe('pooledDockerAgent', () => {
  async function bed() {
    const server = http.createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('slow'), 100);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const opened: Duplex[] = [];
    const dial = () =>
      new Promise<Duplex>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
        opened.push(s);
      });
    const agent = pooledDockerAgent(dial, { maxSockets: 2, maxFreeSockets: 1, idleMs: 30_000 });
    const get = (path = '/') =>
      new Promise<string>((resolve, reject) => {
        http.get({ host: 'docker', port: 80, path, agent }, (res) => {
          let body = '';
          res.on('data', (b) => (body += b));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
    return { agent, get, opened, close: () => (agent.destroy(), new Promise((r) => server.close(r))) };
  }

  it('reuses one idle channel for sequential requests and keeps at most maxFreeSockets idle after a burst', async () => {
    const b = await bed();
    try {
      for (let i = 0; i < 5; i++) expect(await b.get()).toBe('ok');
      expect(b.opened).toHaveLength(1);
      expect(await Promise.all([b.get('/slow'), b.get('/slow'), b.get('/slow'), b.get('/slow')])).toEqual(['slow', 'slow', 'slow', 'slow']);
      console.log(`pooledDockerAgent: a burst of 4 with maxSockets 2 opened ${b.opened.length - 1} more channel(s) (node counts an async dial late)`);
      await new Promise((r) => setTimeout(r, 50));
      expect(Object.values(b.agent.freeSockets).flat()).toHaveLength(1);
    } finally {
      await b.close();
    }
  });

  it("drops a channel whose connection was lost from the pool: the next request dials anew", async () => {
    const b = await bed();
    try {
      await b.get();
      const [first] = b.opened;
      first!.emit('lost');
      expect(Object.values(b.agent.freeSockets).flat()).toHaveLength(0);
      expect(await b.get()).toBe('ok');
      expect(b.opened).toHaveLength(2);
    } finally {
      await b.close();
    }
  });
});
