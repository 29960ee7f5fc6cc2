import path from 'node:path';
import { isNode, parseDocument, visit } from 'yaml';
import { envValueSchemaOf } from '@/lib/settings/env-catalog';
import { envKeySchema, safeEnvValueSchema } from '@/lib/settings/env-values';
import { IMAGE_REF } from '@/lib/schemas/image-ref';
import type { PortSpec, ServiceName, ServiceOverride, StackOverride } from '@/server/stack/types';
import { ALL_SERVICES } from '@/server/stack/types';
import { ProjectError } from './project-error';
import { projectPaths } from './project-paths';
import { readOptional } from './read-optional';
import type { ProjectDir } from './file-ops';

// The console honours compose.override.yml in production too (the CLI only does in dev, docs/tale-cli.md#the-override-file), but
// only the parts it can express in its own specs. Everything else is refused by name: silently
// ignoring a user's `ports:` or `volumes:` would be worse than failing.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unsupported(file: string, keyPath: string, why = 'is not supported by the console'): ProjectError {
  return new ProjectError('OVERRIDE_UNSUPPORTED', `${path.basename(file)}: ${keyPath} ${why}`);
}

function scalarString(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function parseEnvironment(file: string, svc: string, value: unknown): Record<string, string> {
  const where = `services.${svc}.environment`;
  const pairs: Array<[string, string]> = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string' || !item.includes('=')) {
        throw unsupported(file, where, 'entries must be KEY=VALUE (pass-through from the shell is not supported)');
      }
      const eq = item.indexOf('=');
      pairs.push([item.slice(0, eq), item.slice(eq + 1)]);
    }
  } else if (isRecord(value)) {
    for (const [key, raw] of Object.entries(value)) {
      const str = scalarString(raw);
      if (str === null) throw unsupported(file, `${where}.${key}`, 'must be a string, number or boolean');
      pairs.push([key, str]);
    }
  } else {
    throw unsupported(file, where, 'must be a map or a list of KEY=VALUE');
  }

  const out: Record<string, string> = {};
  for (const [key, val] of pairs) {
    if (!envKeySchema.safeParse(key).success) throw unsupported(file, `${where}.${key}`, 'is not a valid variable name');
    const generic = safeEnvValueSchema.safeParse(val);
    const specific = envValueSchemaOf(key)?.safeParse(val);
    const issue = !generic.success ? generic.error.issues[0] : specific && !specific.success ? specific.error.issues[0] : undefined;
    if (issue) throw unsupported(file, `${where}.${key}`, `is invalid: ${issue.message}`);
    out[key] = specific?.success ? specific.data : val;
  }
  return out;
}

// `[host-ip:]host-port:container-port[/tcp]`, the compose short syntax, IPv4 host addresses and
// `[::]` (every IPv6 address, bracketed as compose writes it) only.
const PORT_ENTRY = /^(?:((?:\d{1,3}\.){3}\d{1,3}|\[::\]):)?(\d{1,5}):(80|443)(?:\/tcp)?$/;

function parsePorts(file: string, value: unknown, replaces: boolean): PortSpec[] {
  const where = 'services.proxy.ports';
  // Compose appends override ports to the base file's 80 and 443; only `!override` replaces them,
  // and replacing is the only reason to write this, so the plain form is refused with the fix.
  if (!replaces) throw unsupported(file, where, 'would add to 80 and 443 in compose; write `ports: !override [...]` to replace them');
  if (!Array.isArray(value) || value.length === 0 || value.length > 4) throw unsupported(file, where, 'must list 1 to 4 ports');
  const seen = new Set<string>();
  return value.map((item) => {
    const match = typeof item === 'string' ? PORT_ENTRY.exec(item) : null;
    const hostIp = match?.[1] === '[::]' ? '::' : (match?.[1] ?? '');
    const hostPort = Number(match?.[2]);
    const validIp = hostIp === '' || hostIp === '::' || hostIp.split('.').every((octet) => Number(octet) <= 255);
    if (!match || !validIp || hostPort < 1 || hostPort > 65535) {
      throw unsupported(file, where, "entries must look like '127.0.0.1:8443:443' (container port 80 or 443)");
    }
    const key = `${hostIp}:${hostPort}`;
    if (seen.has(key)) throw unsupported(file, where, `publishes ${key} twice`);
    seen.add(key);
    return { hostIp, hostPort, containerPort: Number(match[3]), protocol: 'tcp' as const };
  });
}

function parseService(file: string, svc: ServiceName, value: unknown, portsReplace: boolean): ServiceOverride {
  if (!isRecord(value)) throw unsupported(file, `services.${svc}`, 'must be a map');
  const result: ServiceOverride = {};
  for (const [key, val] of Object.entries(value)) {
    const where = `services.${svc}.${key}`;
    if (key === 'image') {
      if (typeof val !== 'string' || !IMAGE_REF.test(val)) throw unsupported(file, where, 'must be an image reference like registry/name:tag');
      result.image = val;
    } else if (key === 'profiles') {
      const ok = Array.isArray(val) && val.length === 1 && val[0] === 'disabled';
      if (!ok) throw unsupported(file, where, "supports only ['disabled']");
      if (svc !== 'db') throw unsupported(file, where, 'can disable only the bundled db');
      result.disabled = true;
    } else if (key === 'environment') {
      result.environment = parseEnvironment(file, svc, val);
    } else if (key === 'ports' && svc === 'proxy') {
      result.ports = parsePorts(file, val, portsReplace);
    } else {
      throw unsupported(file, where);
    }
  }
  return result;
}

/** Validates override text. Returns what the stack generator can apply, or throws a coded error. */
export function parseComposeOverride(text: string, file: string): StackOverride {
  const doc = parseDocument(text, { uniqueKeys: true, merge: true });
  const first = doc.errors[0];
  if (first) {
    // Only code and position: yaml's own message quotes the source line, which may hold a secret.
    const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
    throw new ProjectError('OVERRIDE_INVALID', `${path.basename(file)} is not valid YAML (${first.code}${where})`);
  }
  const proxyPorts = doc.getIn(['services', 'proxy', 'ports'], true);
  visit(doc, (_key, node) => {
    // Compose's `!reset` and friends change merge semantics; only `!override` on the proxy's ports is understood.
    if (isNode(node) && node.tag?.startsWith('!') && !(node === proxyPorts && node.tag === '!override')) {
      throw unsupported(file, `the YAML tag ${node.tag.slice(0, 40)}`, 'is supported only as `ports: !override` on the proxy');
    }
  });
  const root: unknown = doc.toJS({ maxAliasCount: 50 });
  if (root === null || root === undefined) return {};
  if (!isRecord(root)) throw new ProjectError('OVERRIDE_INVALID', `${path.basename(file)} must be a map at the top level`);

  const override: StackOverride = {};
  for (const [key, value] of Object.entries(root)) {
    // `version:` is obsolete in compose; `x-*` are compose extension fields (anchors for `<<:`).
    if (key === 'version' || key.startsWith('x-')) continue;
    if (key !== 'services') throw unsupported(file, key);
    if (value === null) continue;
    if (!isRecord(value)) throw unsupported(file, 'services', 'must be a map');
    for (const [svc, body] of Object.entries(value)) {
      if (!(ALL_SERVICES as readonly string[]).includes(svc)) {
        throw unsupported(file, `services.${svc}`, `is not a Tale service (${ALL_SERVICES.join(', ')})`);
      }
      const portsReplace = svc === 'proxy' && isNode(proxyPorts) && proxyPorts.tag === '!override';
      override[svc as ServiceName] = parseService(file, svc as ServiceName, body, portsReplace);
    }
  }
  return override;
}

export interface LoadedOverride {
  override: StackOverride;
  file: string | null;
  warnings: string[];
}

/**
 * The override file the console edits and its text: `compose.override.yml`, else `.yaml` when only
 * that exists; `.yml` (text null) when there is none yet.
 */
export async function readOverrideText(at: ProjectDir): Promise<{ file: string; text: string | null }> {
  const paths = projectPaths(at.dir);
  const yml = await readOptional(paths.overrideYml, at.fs);
  if (yml !== null) return { file: paths.overrideYml, text: yml };
  const yaml = await readOptional(paths.overrideYaml, at.fs);
  if (yaml !== null) return { file: paths.overrideYaml, text: yaml };
  return { file: paths.overrideYml, text: null };
}

/** Reads `compose.override.yml`, else `.yaml`; with both, `.yml` wins and a warning says so. */
export async function readComposeOverride(at: ProjectDir): Promise<LoadedOverride> {
  const paths = projectPaths(at.dir);
  const yml = await readOptional(paths.overrideYml, at.fs);
  const yaml = await readOptional(paths.overrideYaml, at.fs);
  const warnings: string[] = [];
  if (yml !== null && yaml !== null) {
    warnings.push('Both compose.override.yml and compose.override.yaml exist; using compose.override.yml');
  }
  if (yml !== null) return { override: parseComposeOverride(yml, paths.overrideYml), file: paths.overrideYml, warnings };
  if (yaml !== null) return { override: parseComposeOverride(yaml, paths.overrideYaml), file: paths.overrideYaml, warnings };
  return { override: {}, file: null, warnings };
}
