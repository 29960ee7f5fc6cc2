import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentIdSchema } from '@/lib/schemas/environments';
import { envParam, GLOBAL_PATHS, openApiDocument } from './openapi';

// The document must describe every route under app/api/v1, found on disk, so a new route that is
// not documented fails here; and it must hold together structurally as OpenAPI 3.1.

const V1 = path.resolve(__dirname, '../../app/api/v1');
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function routeFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return /^route\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

/** app/api/v1/operations/[id]/events/route.ts → /api/v1/operations/{id}/events with its methods. */
function routesOnDisk(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of routeFiles(V1)) {
    const rel = path.relative(V1, path.dirname(file)).split(path.sep).filter(Boolean);
    const url = ['/api/v1', ...rel.map((s) => s.replace(/^\[(\w+)\]$/, '{$1}'))].join('/');
    const source = fs.readFileSync(file, 'utf8');
    const methods = METHODS.filter((m) => new RegExp(`export\\s+(async\\s+)?function\\s+${m}\\b`).test(source));
    out.set(url, methods.map((m) => m.toLowerCase()));
  }
  return out;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The rules of OpenAPI 3.1 that a hand-assembled document gets wrong in practice. */
function structuralProblems(doc: Obj): string[] {
  const problems: string[] = [];
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) problems.push('openapi must be 3.1.x');
  const info = doc.info as Obj | undefined;
  if (!isObj(info) || typeof info.title !== 'string' || typeof info.version !== 'string') problems.push('info needs title and version strings');
  const components = (doc.components ?? {}) as Obj;
  const schemes = (components.securitySchemes ?? {}) as Obj;
  const checkSecurity = (where: string, security: unknown) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) return problems.push(`${where}: security must be an array`);
    for (const req of security) for (const name of Object.keys(req as Obj)) if (!(name in schemes)) problems.push(`${where}: unknown security scheme ${name}`);
  };
  checkSecurity('root', doc.security);

  // Every $ref must point at something that exists in this document.
  const resolve = (pointer: string) =>
    pointer
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (isObj(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`));
    else if (isObj(node)) {
      if (typeof node.$ref === 'string' && (!node.$ref.startsWith('#/') || resolve(node.$ref) === undefined)) problems.push(`${at}: dangling $ref ${node.$ref}`);
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    }
  };
  walk(doc, '#');

  const operationIds = new Set<string>();
  const paths = doc.paths as Obj;
  if (!isObj(paths)) return [...problems, 'paths must be an object'];
  for (const [p, item] of Object.entries(paths)) {
    if (!p.startsWith('/')) problems.push(`${p}: paths start with /`);
    const templated = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item as Obj)) {
      const where = `${method.toUpperCase()} ${p}`;
      if (!METHODS.includes(method.toUpperCase())) {
        problems.push(`${where}: not an HTTP method`);
        continue;
      }
      const o = op as Obj;
      if (typeof o.operationId !== 'string' || operationIds.has(o.operationId)) problems.push(`${where}: operationId missing or not unique`);
      operationIds.add(o.operationId as string);
      checkSecurity(where, o.security);
      const params = (o.parameters ?? []) as Obj[];
      const seen = new Set<string>();
      for (const prm of params) {
        if (!['query', 'header', 'path', 'cookie'].includes(prm.in as string)) problems.push(`${where}: parameter ${String(prm.name)} has a bad "in"`);
        if (!isObj(prm.schema)) problems.push(`${where}: parameter ${String(prm.name)} has no schema`);
        if (prm.in === 'path' && prm.required !== true) problems.push(`${where}: path parameter ${String(prm.name)} must be required`);
        const key = `${String(prm.in)}:${String(prm.name)}`;
        if (seen.has(key)) problems.push(`${where}: duplicate parameter ${key}`);
        seen.add(key);
      }
      for (const name of templated) if (!params.some((prm) => prm.in === 'path' && prm.name === name)) problems.push(`${where}: {${name}} not declared`);
      for (const prm of params) if (prm.in === 'path' && !templated.includes(prm.name as string)) problems.push(`${where}: path parameter ${String(prm.name)} not in the path`);
      const responses = o.responses as Obj;
      if (!isObj(responses) || Object.keys(responses).length === 0) problems.push(`${where}: no responses`);
      else {
        for (const [status, r] of Object.entries(responses)) {
          if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${where}: bad status ${status}`);
          if (typeof (r as Obj).description !== 'string') problems.push(`${where} ${status}: response needs a description`);
        }
      }
      if (o.requestBody !== undefined && !isObj((o.requestBody as Obj).content)) problems.push(`${where}: requestBody needs content`);
    }
  }
  return problems;
}

describe('OpenAPI document', () => {
  const doc = openApiDocument();

  it('lists every route under app/api/v1 with exactly its methods, and nothing else', () => {
    const disk = routesOnDisk();
    expect(disk.size).toBeGreaterThan(10);
    const documented = new Map(Object.entries(doc.paths as Obj).map(([p, item]) => [p, Object.keys(item as Obj).sort()]));
    expect(Object.fromEntries([...documented].sort())).toEqual(Object.fromEntries([...disk].map(([p, m]) => [p, m.sort()]).sort()));
  });

  it('is structurally valid OpenAPI 3.1', () => {
    expect(structuralProblems(doc)).toEqual([]);
  });

  it('catches the mistakes it is meant to catch', () => {
    const broken = structuredClone(doc) as Obj;
    const paths = broken.paths as Record<string, Record<string, Obj>>;
    paths['/api/v1/operations/{id}']!.get!.parameters = [];
    paths['/api/v1/status']!.get!.responses = { 200: { content: {} } };
    paths['/api/v1/me']!.get!.responses = { 200: { description: 'x', content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } } } };
    const problems = structuralProblems(broken);
    expect(problems).toHaveLength(3);
    expect(problems).toContain('GET /api/v1/status 200: response needs a description');
    expect(problems).toContain('GET /api/v1/operations/{id}: {id} not declared');
    expect(problems.some((p) => p.endsWith('dangling $ref #/components/schemas/Nope'))).toBe(true);
  });

  it('takes request bodies from the strict zod schemas: unknown keys are refused', () => {
    const schemas = (doc.components as Obj).schemas as Record<string, Obj>;
    for (const name of ['DeployInput', 'RollbackInput', 'EmptyInput']) expect(schemas[name]!.additionalProperties).toBe(false);
    expect(Object.keys(schemas.DeployInput!.properties as Obj).sort()).toEqual(['all', 'allowDowngrade', 'dryRun', 'overridePreflight', 'retryFailedRelease', 'skipBackup', 'version']);
    // The backup gate's skip: a reason of 10 characters or more, nothing else.
    for (const name of ['DeployInput', 'RollbackInput']) {
      const skip = (schemas[name]!.properties as Record<string, Obj>).skipBackup!;
      expect(skip).toMatchObject({ additionalProperties: false, required: ['reason'], properties: { reason: { minLength: 10 } } });
    }
  });

  it('documents the preflight, its refusal and the override on deployments and rollbacks', () => {
    const paths = doc.paths as Record<string, Record<string, Obj>>;
    expect(paths['/api/v1/preflight']!.get!.responses).toMatchObject({ 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Preflight' } } } } });
    const schemas = (doc.components as Obj).schemas as Record<string, Obj>;
    for (const [path, name] of [['/api/v1/deployments', 'DeployInput'], ['/api/v1/rollbacks', 'RollbackInput']] as const) {
      expect(paths[path]!.post!.description).toContain('PREFLIGHT_FAILED');
      expect((schemas[name]!.properties as Record<string, Obj>).overridePreflight).toMatchObject({ additionalProperties: false, required: ['reason'], properties: { reason: { minLength: 10 } } });
    }
  });

  it('documents the downgrade confirmation and its refusal on deployments', () => {
    const deploy = (doc.paths as Record<string, Record<string, Obj>>)['/api/v1/deployments']!.post!;
    expect(deploy.description).toContain('"allowDowngrade": true');
    expect(((deploy.responses as Record<string, Obj>)[400]!.description as string)).toContain('DOWNGRADE_NOT_CONFIRMED');
    const schemas = (doc.components as Obj).schemas as Record<string, Obj>;
    expect(((schemas.DeployInput!.properties as Record<string, Obj>).allowDowngrade)).toMatchObject({ type: 'boolean', default: false, description: expect.stringContaining('older than the live one') });
  });

  it('documents the failed-release mark, the retry flag and its refusal', () => {
    const deploy = (doc.paths as Record<string, Record<string, Obj>>)['/api/v1/deployments']!.post!;
    expect(deploy.description).toContain('"retryFailedRelease": true');
    expect((deploy.responses as Record<string, Obj>)[400]!.description as string).toContain('FAILED_RELEASE_NOT_CONFIRMED');
    const schemas = (doc.components as Obj).schemas as Record<string, Obj>;
    expect((schemas.DeployInput!.properties as Record<string, Obj>).retryFailedRelease).toMatchObject({ type: 'boolean', default: false });
    const version = ((schemas.Versions!.properties as Record<string, Obj>).versions!.items as Obj).properties as Record<string, Obj>;
    expect(version.failedHere).toMatchObject({ type: ['object', 'null'] });
    expect((schemas.Operation!.properties as Record<string, Obj>).purpose).toMatchObject({ type: 'string' });
  });

  it('takes ?env= on every path whose route acts on an environment, and on no global one', () => {
    // The route files say which is which: a global one keeps the console's own runtime(), a scoped
    // one uses the runtime withApiUser chose from ?env=.
    const globalOnDisk = [...routesOnDisk().keys()].filter((p) => {
      const file = path.join(V1, ...p.replace('/api/v1/', '').split('/').map((s) => s.replace(/^\{(\w+)\}$/, '[$1]')), 'route.ts');
      const source = fs.readFileSync(file, 'utf8');
      return /runtime\(\)/.test(source) || !source.includes('withApiUser');
    });
    expect([...GLOBAL_PATHS].sort()).toEqual(globalOnDisk.sort());
    for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, Obj>>)) {
      for (const [method, op] of Object.entries(item)) {
        const env = ((op.parameters ?? []) as Obj[]).find((prm) => prm.in === 'query' && prm.name === 'env');
        const responses = op.responses as Record<string, Obj>;
        if (GLOBAL_PATHS.has(p)) {
          expect(env, `${method} ${p}`).toBeUndefined();
          continue;
        }
        expect(env, `${method} ${p}`).toMatchObject({ required: false, schema: { default: 'local' } });
        expect(responses[400]!.description, `${method} ${p}`).toContain('INVALID_ENVIRONMENT');
        expect(responses[404]!.description, `${method} ${p}`).toContain('ENVIRONMENT_NOT_FOUND');
      }
    }
    // The documented pattern is the one the server parses with.
    const pattern = new RegExp((envParam.schema as { pattern: string }).pattern);
    for (const id of ['local', 'staging-2', 'Bad!', '-x', 'a'.repeat(41)]) expect(pattern.test(id), id).toBe(environmentIdSchema.safeParse(id).success);
    // Each operation says the environment it ran on.
    const operation = ((doc.components as Obj).schemas as Record<string, Obj>).Operation!;
    expect(operation.required).toContain('environmentId');
  });

  it('documents the environments: listed by viewers, added and removed by admins', () => {
    const paths = doc.paths as Record<string, Record<string, Obj>>;
    expect(Object.keys(paths['/api/v1/environments']!).sort()).toEqual(['get', 'post']);
    expect(paths['/api/v1/environments']!.get!.summary).toContain('viewer');
    for (const op of [paths['/api/v1/environments']!.post!, paths['/api/v1/environments/scan']!.post!, paths['/api/v1/environments/{id}']!.delete!]) expect(op.summary).toContain('admin');
    expect((doc.info as Obj).description).toContain('?env=');
  });

  it('is itself public and every other operation needs a token or a session', () => {
    const paths = doc.paths as Record<string, Record<string, Obj>>;
    expect(paths['/api/v1/openapi.json']!.get!.security).toEqual([]);
    expect(doc.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
  });
});
