import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_ACCEPT, RegistryClient } from './registry-client';
import { parseRegistryPrefix } from './registry-prefix';

// A tiny emulation of the distribution API: a bearer challenge like GHCR's, paginated tag lists,
// HEAD manifests with Docker-Content-Digest, and switches for 429 and missing images.
interface Behaviour {
  requireToken: boolean;
  rateLimit: boolean;
  omitDigestOnHead: boolean;
  missing: Set<string>;
}
const behaviour: Behaviour = { requireToken: true, rateLimit: false, omitDigestOnHead: false, missing: new Set() };
const requests: Array<{ method: string; url: string; accept?: string; auth?: string }> = [];

const PLATFORM_TAGS = ['latest', '0.1.1', '0.1.1-arm64', '0.1.1-amd64', '1.0.0-rc2', '1.0.0-rc16', '0.9.0', '1.0.0', 'sha-abc'];
const digestOf = (repo: string, tag: string) => `sha256:${createHash('sha256').update(`${repo}:${tag}`).digest('hex')}`;
const MANIFEST_BODY = '{"schemaVersion":2}';

let server: http.Server;
let base: string;

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', base);
  requests.push({ method: req.method ?? '', url: url.pathname + url.search, accept: req.headers.accept, auth: req.headers.authorization });
  if (behaviour.rateLimit) {
    res.writeHead(429, { 'Retry-After': '42' }).end();
    return;
  }
  if (url.pathname === '/token') {
    const scope = url.searchParams.get('scope') ?? '';
    const m = /^repository:(.+):pull$/.exec(scope);
    res.writeHead(m ? 200 : 400, { 'Content-Type': 'application/json' }).end(JSON.stringify(m ? { token: `tok:${m[1]}` } : {}));
    return;
  }
  const m = /^\/v2\/(.+)\/(tags\/list|manifests\/([^/]+))$/.exec(url.pathname);
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  const repo = m[1] as string;
  if (behaviour.requireToken && req.headers.authorization !== `Bearer tok:${repo}`) {
    res
      .writeHead(401, { 'WWW-Authenticate': `Bearer realm="${base}/token",service="test-registry",scope="repository:${repo}:pull"` })
      .end();
    return;
  }
  if (m[2] === 'tags/list') {
    if (repo !== 'tale-project/tale/tale-platform') {
      res.writeHead(404).end();
      return;
    }
    // Two pages, the second linked with a relative URL as real registries do.
    const last = url.searchParams.get('last');
    const page = last ? PLATFORM_TAGS.slice(5) : PLATFORM_TAGS.slice(0, 5);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (!last) headers.Link = `</v2/${repo}/tags/list?n=1000&last=${PLATFORM_TAGS[4]}>; rel="next"`;
    res.writeHead(200, headers).end(JSON.stringify({ name: repo, tags: page }));
    return;
  }
  const tag = decodeURIComponent(m[3] as string);
  if (behaviour.missing.has(repo) || !PLATFORM_TAGS.includes(tag)) {
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    return;
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/vnd.oci.image.index.v1+json' };
  // `latest` points at the newest release, as the publishing workflow does.
  const digestTag = tag === 'latest' ? '1.0.0' : tag;
  if (!(behaviour.omitDigestOnHead && req.method === 'HEAD')) headers['Docker-Content-Digest'] = digestOf(repo, digestTag);
  if (behaviour.omitDigestOnHead && req.method === 'GET') delete headers['Docker-Content-Digest'];
  res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : MANIFEST_BODY);
}

beforeAll(async () => {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => {
  Object.assign(behaviour, { requireToken: true, rateLimit: false, omitDigestOnHead: false, missing: new Set() });
  requests.length = 0;
});

const client = () => new RegistryClient({ registry: `${base.replace('http://', '')}/tale-project/tale` });

describe('parseRegistryPrefix', () => {
  it('uses https for public registries and http only for loopback', () => {
    expect(parseRegistryPrefix('ghcr.io/tale-project/tale')).toEqual({
      host: 'ghcr.io', hostname: 'ghcr.io', namespace: 'tale-project/tale', scheme: 'https', baseUrl: 'https://ghcr.io',
    });
    expect(parseRegistryPrefix('127.0.0.1:5000/tale').baseUrl).toBe('http://127.0.0.1:5000');
    expect(parseRegistryPrefix('localhost:5000').namespace).toBe('');
    expect(parseRegistryPrefix('registry.example.com:5000/x').scheme).toBe('https');
    expect(() => parseRegistryPrefix('ghcr.io/Bad Name')).toThrow(expect.objectContaining({ code: 'REGISTRY_INVALID_PREFIX' }));
  });
});

describe('RegistryClient', () => {
  it('lists versions through the anonymous token flow, across pages, newest first without arch tags', async () => {
    expect(await client().listVersions()).toEqual(['1.0.0', '1.0.0-rc16', '1.0.0-rc2', '0.9.0', '0.1.1']);
    const tokenRequest = requests.find((r) => r.url.startsWith('/token'));
    expect(tokenRequest?.url).toBe('/token?service=test-registry&scope=repository%3Atale-project%2Ftale%2Ftale-platform%3Apull');
    // The token is reused for the second page.
    expect(requests.filter((r) => r.url.startsWith('/token'))).toHaveLength(1);
    expect(requests.filter((r) => r.url.includes('last=1.0.0-rc16')).every((r) => r.auth === 'Bearer tok:tale-project/tale/tale-platform')).toBe(true);
  });

  it('works against a registry without auth', async () => {
    behaviour.requireToken = false;
    expect(await client().listVersions()).toHaveLength(5);
    expect(requests.some((r) => r.url.startsWith('/token'))).toBe(false);
  });

  it('resolves a version for all six images with HEAD and the manifest Accept headers', async () => {
    const resolved = await client().resolveVersion('v1.0.0-rc16');
    expect(resolved.version).toBe('1.0.0-rc16');
    for (const svc of ['db', 'proxy', 'convex', 'platform', 'rag', 'crawler']) {
      expect(resolved.digests[svc as 'db']).toBe(digestOf(`tale-project/tale/tale-${svc}`, '1.0.0-rc16'));
    }
    const heads = requests.filter((r) => r.method === 'HEAD' && r.auth);
    expect(heads).toHaveLength(6);
    for (const h of heads) expect(h.accept).toBe(MANIFEST_ACCEPT);
  });

  it('tells which version latest is, by digest', async () => {
    const c = client();
    expect(await c.latestAlias(await c.listVersions())).toBe('1.0.0');
    expect(await c.latestAlias(['1.0.0-rc16', '0.9.0'])).toBeNull();
  });

  it('computes the digest from the body when HEAD omits Docker-Content-Digest', async () => {
    behaviour.omitDigestOnHead = true;
    const digest = await client().manifestDigest('rag', '0.9.0');
    expect(digest).toBe(`sha256:${createHash('sha256').update(MANIFEST_BODY).digest('hex')}`);
  });

  it('names the images missing a tag', async () => {
    behaviour.missing = new Set(['tale-project/tale/tale-crawler', 'tale-project/tale/tale-db']);
    await expect(client().resolveVersion('1.0.0')).rejects.toMatchObject({
      code: 'REGISTRY_TAG_NOT_FOUND',
      message: expect.stringMatching(/tale-db, tale-crawler/),
    });
    await expect(client().resolveVersion('7.7.7')).rejects.toMatchObject({ code: 'REGISTRY_TAG_NOT_FOUND' });
  });

  it('resolves versions only: latest and per-architecture tags are refused before any request', async () => {
    for (const tag of ['latest', '0.1.1-arm64']) await expect(client().resolveVersion(tag)).rejects.toMatchObject({ code: 'REGISTRY_INVALID_TAG' });
    expect(requests).toHaveLength(0);
  });

  it('refuses a malformed tag before any request', async () => {
    await expect(client().resolveVersion('1.0/../x')).rejects.toMatchObject({ code: 'REGISTRY_INVALID_TAG' });
    expect(requests).toHaveLength(0);
  });

  it('reports rate limiting with Retry-After', async () => {
    behaviour.rateLimit = true;
    await expect(client().listVersions()).rejects.toMatchObject({ code: 'REGISTRY_RATE_LIMITED', retryAfterSeconds: 42 });
  });

  it('reports an unknown repository', async () => {
    behaviour.requireToken = false;
    const other = new RegistryClient({ registry: `${base.replace('http://', '')}/nobody` });
    await expect(other.listVersions()).rejects.toMatchObject({ code: 'REGISTRY_REPOSITORY_NOT_FOUND' });
  });

  it('reports an unreachable registry', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = new RegistryClient({ registry: `127.0.0.1:${port}/tale`, timeoutMs: 2000 });
    await expect(dead.listVersions()).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE' });
  });

  it('reports a registry that does not answer in time', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const slow = new RegistryClient({ registry: `127.0.0.1:${port}/tale`, timeoutMs: 200 });
      await expect(slow.listVersions()).rejects.toMatchObject({ code: 'REGISTRY_UNREACHABLE', message: expect.stringMatching(/in time/) });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
