import type { SslMode } from '@/lib/schemas/external-database';
import { assertIdentifier } from './identifiers';
import { KNOWLEDGE_DB } from './prepare-plan';

// The three URLs Tale's services read for an external database (docs/tale-cli.md#wiring-an-external-database): Convex takes POSTGRES_URL
// without a database (it adds tale_platform itself); rag and the crawler never derive theirs from
// it, so both get a full URL to tale_knowledge.

export interface ServiceUrlInput {
  host: string;
  port: number;
  role: string;
  password: string;
  sslMode: SslMode;
}

export interface ServiceUrls {
  POSTGRES_URL: string;
  RAG_DATABASE_URL: string;
  CRAWLER_DATABASE_URL: string;
}

export const SERVICE_URL_KEYS = ['POSTGRES_URL', 'RAG_DATABASE_URL', 'CRAWLER_DATABASE_URL'] as const;

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function serviceUrls(input: ServiceUrlInput): ServiceUrls {
  const base = `postgresql://${encodeURIComponent(assertIdentifier(input.role))}:${encodeURIComponent(input.password)}@${hostPart(input.host)}:${input.port}`;
  const query = input.sslMode === 'disable' ? '' : `?sslmode=${input.sslMode}`;
  return {
    POSTGRES_URL: `${base}${query}`,
    RAG_DATABASE_URL: `${base}/${KNOWLEDGE_DB}${query}`,
    CRAWLER_DATABASE_URL: `${base}/${KNOWLEDGE_DB}${query}`,
  };
}

/** The password of a URL replaced, for anything shown or logged. */
export function maskUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*:)[^@]*@/, '$1••••••@');
}

export interface UrlWarningInput {
  sslMode: SslMode;
  /** The server refused a plaintext connection. */
  tlsRequired: boolean | null;
}

export function serviceUrlWarnings({ sslMode, tlsRequired }: UrlWarningInput): string[] {
  const warnings: string[] = [];
  if (sslMode !== 'disable') {
    warnings.push(
      `The URLs carry ?sslmode=${sslMode}. Tale's rag and crawler append ?sslmode=disable to their URL for their migrations (dbmate), ` +
        'which then reads an invalid sslmode and fails; their migrations need a plaintext connection from the Tale host.',
    );
  }
  if (tlsRequired) {
    warnings.push(
      'This server refuses unencrypted connections: rag and crawler migrations, which force ?sslmode=disable, will fail against it. ' +
        'Allow plaintext connections from the Tale host (a `host` rather than `hostssl` line in pg_hba.conf) or wait for a Tale release that honours sslmode.',
    );
  }
  if (sslMode === 'verify-full') {
    warnings.push('verify-full: Tale’s containers check the certificate against their own trust store; a private CA must also be trusted there.');
  }
  return warnings;
}
