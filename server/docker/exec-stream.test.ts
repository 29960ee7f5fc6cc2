import net from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { execStdin } from './exec-stream';

// execStdin over a real loopback socket whose peer stops reading and then goes away, as Docker's
// hijacked exec connection does when the command's container is removed mid-stream.

let server: net.Server | null = null;
afterEach(() => server?.close());

async function socketPair(): Promise<{ client: net.Socket; peer: Promise<net.Socket> }> {
  let accepted!: (s: net.Socket) => void;
  const peer = new Promise<net.Socket>((r) => (accepted = r));
  server = net.createServer((s) => {
    s.pause(); // reads nothing: the client's writes back up
    accepted(s);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((r) => client.once('connect', r));
  client.on('error', () => undefined);
  return { client, peer };
}

describe('execStdin', () => {
  it('lets a producer piped into it finish once the other end is gone, instead of leaving it paused', async () => {
    const { client, peer } = await socketPair();
    let produced = 0;
    // 64 MB: far more than the socket buffers hold, so the producer meets backpressure first.
    const source = new Readable({
      read() {
        produced += 1;
        this.push(produced > 1024 ? null : Buffer.alloc(64 * 1024, 1));
      },
    });
    // .pipe, as dumpIntoPsql pipes restic's dump: into the raw socket it was unpiped at the close.
    const done = new Promise((r) => source.once('end', r));
    const stdin = execStdin(client);
    stdin.on('error', () => undefined);
    source.pipe(stdin);
    await new Promise((r) => setTimeout(r, 300));
    const stalledAt = produced;
    expect(stalledAt).toBeLessThan(1024); // held back by the peer that does not read
    (await peer).destroy(); // the container is removed: the connection closes
    await done;
    console.log(`[exec-stdin] ${stalledAt} of 1025 chunks taken before the close; the rest dropped and the pipeline ended`);
    expect(produced).toBe(1025);
  });

  it('passes the bytes through and half-closes the socket at the end while the command reads', async () => {
    const { client, peer } = await socketPair();
    const other = await peer;
    const received: Buffer[] = [];
    other.on('data', (b: Buffer) => received.push(b));
    other.resume();
    const ended = new Promise((r) => other.once('end', r));
    await pipeline(Readable.from([Buffer.from('SELECT 1;\n'), Buffer.from('SELECT 2;\n')]), execStdin(client));
    await ended;
    expect(Buffer.concat(received).toString()).toBe('SELECT 1;\nSELECT 2;\n');
    other.destroy();
  });
});
