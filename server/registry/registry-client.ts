import { createHash } from 'node:crypto';
import { sortVersionTags } from '@/lib/version-order';
import { isImageTag, isVersionTag, normalizeVersion, VERSION_TAG_MESSAGE } from '@/lib/version-tag';
import type { ServiceName } from '@/server/stack/types';
import { ALL_SERVICES } from '@/server/stack/types';
import { RegistryError } from './registry-error';
import { parseRegistryPrefix, type RegistryPrefix } from './registry-prefix';

// Manifest types a multi-arch Tale tag can have; a HEAD without them gets a v1 answer or a 404
// from some registries.
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');


export interface RegistryClientOptions {
  /** The GHCR_REGISTRY prefix, e.g. `ghcr.io/tale-project/tale` or `127.0.0.1:5000/tale`. */
  registry: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface ResolvedVersion {
  version: string;
  digests: Record<ServiceName, string>;
}

interface Challenge {
  realm: string;
  service?: string;
}

function parseChallenge(header: string | null): Challenge | null {
  if (!header || !/^Bearer\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const m of header.slice(header.indexOf(' ') + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1] as string] = m[2] as string;
  return params.realm ? { realm: params.realm, service: params.service } : null;
}

function nextLink(header: string | null, base: string): string | null {
  const m = header ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(header) : null;
  return m ? new URL(m[1] as string, base).toString() : null;
}

export class RegistryClient {
  private readonly prefix: RegistryPrefix;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly tokens = new Map<string, string>();

  constructor(options: RegistryClientOptions) {
    this.prefix = parseRegistryPrefix(options.registry);
    this.fetchImpl = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  repository(service: ServiceName): string {
    return `${this.prefix.namespace ? `${this.prefix.namespace}/` : ''}tale-${service}`;
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new RegistryError(
        'REGISTRY_UNREACHABLE',
        `Registry ${this.prefix.host} ${timedOut ? 'did not answer in time' : 'is unreachable'}`,
        { cause: err },
      );
    }
  }

  private async token(repository: string, challenge: Challenge): Promise<string> {
    const cached = this.tokens.get(repository);
    if (cached) return cached;
    const realm = new URL(challenge.realm);
    // A registry must not send our requests to plain HTTP elsewhere; loopback test registries may.
    if (realm.protocol !== 'https:' && !(this.prefix.scheme === 'http' && realm.hostname === this.prefix.hostname)) {
      throw new RegistryError('REGISTRY_BAD_RESPONSE', `Registry ${this.prefix.host} asked for a token over plain HTTP`);
    }
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', `repository:${repository}:pull`);
    const res = await this.send(realm.toString(), { headers: { Accept: 'application/json' } });
    this.checkStatus(res, `token for ${repository}`);
    const body = (await res.json().catch(() => null)) as { token?: unknown; access_token?: unknown } | null;
    const token = typeof body?.token === 'string' ? body.token : typeof body?.access_token === 'string' ? body.access_token : null;
    if (!token) throw new RegistryError('REGISTRY_BAD_RESPONSE', `Registry ${this.prefix.host} returned no token`);
    this.tokens.set(repository, token);
    return token;
  }

  private checkStatus(res: Response, what: string): void {
    if (res.status === 429) {
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new RegistryError(
        'REGISTRY_RATE_LIMITED',
        `Registry ${this.prefix.host} is rate limiting requests (${what})${Number.isFinite(retryAfter) && retryAfter > 0 ? `; retry after ${retryAfter}s` : ''}`,
        undefined,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    }
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError('REGISTRY_UNAUTHORIZED', `Registry ${this.prefix.host} refused access (${what})`);
    }
    if (res.status >= 500) throw new RegistryError('REGISTRY_UNAVAILABLE', `Registry ${this.prefix.host} failed with HTTP ${res.status} (${what})`);
  }

  /** A request that answers the bearer challenge once, anonymously, like `docker pull` does. */
  private async authorized(repository: string, url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const cached = this.tokens.get(repository);
    if (cached) headers.set('Authorization', `Bearer ${cached}`);
    let res = await this.send(url, { ...init, headers });
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      if (challenge) {
        this.tokens.delete(repository);
        headers.set('Authorization', `Bearer ${await this.token(repository, challenge)}`);
        res = await this.send(url, { ...init, headers });
      }
    }
    return res;
  }

  /** Every tag of one image, following `Link` pagination. */
  async listTags(service: ServiceName = 'platform'): Promise<string[]> {
    const repository = this.repository(service);
    let url: string | null = `${this.prefix.baseUrl}/v2/${repository}/tags/list?n=1000`;
    const tags: string[] = [];
    for (let page = 0; url && page < 100; page += 1) {
      const res = await this.authorized(repository, url, { headers: { Accept: 'application/json' } });
      if (res.status === 404) throw new RegistryError('REGISTRY_REPOSITORY_NOT_FOUND', `Image ${this.prefix.host}/${repository} does not exist`);
      this.checkStatus(res, `tags of ${repository}`);
      if (!res.ok) throw new RegistryError('REGISTRY_BAD_RESPONSE', `Registry answered HTTP ${res.status} for tags of ${repository}`);
      const body = (await res.json().catch(() => null)) as { tags?: unknown } | null;
      if (body && Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      url = nextLink(res.headers.get('link'), url);
    }
    return tags;
  }

  /** Version tags of tale-platform, newest first; `latest` and per-arch tags are dropped. */
  async listVersions(): Promise<string[]> {
    return sortVersionTags(await this.listTags('platform'));
  }

  /** The digest of one image's tag, or null when the tag does not exist. */
  async manifestDigest(service: ServiceName, tag: string): Promise<string | null> {
    if (!isImageTag(tag)) throw new RegistryError('REGISTRY_INVALID_TAG', 'Not a valid image tag');
    const repository = this.repository(service);
    const url = `${this.prefix.baseUrl}/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    const headers = { Accept: MANIFEST_ACCEPT };
    const res = await this.authorized(repository, url, { method: 'HEAD', headers });
    if (res.status === 404) return null;
    this.checkStatus(res, `manifest ${repository}:${tag}`);
    if (!res.ok) throw new RegistryError('REGISTRY_BAD_RESPONSE', `Registry answered HTTP ${res.status} for ${repository}:${tag}`);
    const digest = res.headers.get('docker-content-digest');
    if (digest) return digest;
    // Some registries omit the header on HEAD; the digest is then the hash of the manifest body.
    const full = await this.authorized(repository, url, { method: 'GET', headers });
    this.checkStatus(full, `manifest ${repository}:${tag}`);
    if (!full.ok) throw new RegistryError('REGISTRY_BAD_RESPONSE', `Registry answered HTTP ${full.status} for ${repository}:${tag}`);
    return full.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(Buffer.from(await full.arrayBuffer())).digest('hex')}`;
  }

  /**
   * Which version `latest` currently is, by digest (the old CLI picker showed it as an alias).
   * Checks only the newest few versions; null when `latest` is absent or matches none of them.
   */
  async latestAlias(versionsNewestFirst: readonly string[], lookAhead = 5): Promise<string | null> {
    const latest = await this.manifestDigest('platform', 'latest');
    if (!latest) return null;
    for (const version of versionsNewestFirst.slice(0, lookAhead)) {
      if ((await this.manifestDigest('platform', version)) === latest) return version;
    }
    return null;
  }

  /** Confirms the tag exists for all six images and returns their digests. */
  async resolveVersion(version: string): Promise<ResolvedVersion> {
    const tag = normalizeVersion(version);
    if (!isVersionTag(tag)) throw new RegistryError('REGISTRY_INVALID_TAG', VERSION_TAG_MESSAGE);
    const entries = await Promise.all(ALL_SERVICES.map(async (svc) => [svc, await this.manifestDigest(svc, tag)] as const));
    const missing = entries.filter(([, d]) => d === null).map(([svc]) => `tale-${svc}`);
    if (missing.length > 0) {
      throw new RegistryError(
        'REGISTRY_TAG_NOT_FOUND',
        `Version ${tag} is not available for ${missing.join(', ')}. If this is a recent release, the images may still be building.`,
      );
    }
    return { version: tag, digests: Object.fromEntries(entries) as Record<ServiceName, string> };
  }
}
