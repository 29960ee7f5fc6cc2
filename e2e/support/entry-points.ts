import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths';

// Derives every entry point from the source tree, so a new page, route or action is covered
// by the access tests without editing them.

export type EntryPoint =
  | { kind: 'page'; file: string; url: string }
  | { kind: 'route'; file: string; url: string; methods: string[] }
  /** takesEnvironment: the action's first argument is the environment its page binds (`inEnvironment`), the input comes second. */
  | { kind: 'action'; file: string; exportName: string; access: string | null; takesEnvironment: boolean };

/** Pages and routes open on purpose (the OpenAPI document holds no data); every other one needs a session. */
export const OPEN_PAGES: ReadonlySet<string> = new Set(['/login', '/setup']);
export const OPEN_ROUTES: ReadonlySet<string> = new Set(['/api/health/live', '/api/health/ready', '/api/auth/a/b', '/api/v1/openapi.json']);

/**
 * Who may use an entry point, read from the code that enforces it: the role passed to
 * requirePageUser / withApiUser, or an action's `// access: <role>` line. null: not declared.
 */
export type Access = 'open' | 'setup-token' | 'viewer' | 'operator' | 'admin' | null;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

/** app/(console)/deployments/[id]/page.tsx → /deployments/sample */
function urlOf(relDir: string): string {
  const segments = relDir
    .split('/')
    .filter((s) => s && !(s.startsWith('(') && s.endsWith(')')) && !s.startsWith('@'))
    .map((s) => (s.startsWith('[[...') ? 'a/b' : s.startsWith('[...') ? 'a/b' : s.startsWith('[') ? 'sample' : s));
  return `/${segments.join('/')}`;
}

function exportedFunctions(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:async\s+)?function\s+([A-Za-z0-9_]+)/g)) names.add(m[1]!);
  for (const m of source.matchAll(/export\s+const\s+([A-Za-z0-9_]+)\s*=/g)) names.add(m[1]!);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name) names.add(name);
    }
  }
  return [...names];
}

/** Whether an action takes the environment first: an `env: unknown` first parameter, or `inEnvironment(` in its body. */
function takesEnvironment(source: string, exportName: string): boolean {
  const start = new RegExp(`export\\s+async\\s+function\\s+${exportName}\\s*\\(`).exec(source);
  if (!start) return false;
  const rest = source.slice(start.index + start[0].length);
  const end = rest.search(/\n\}/);
  const body = end === -1 ? rest : rest.slice(0, end);
  return /^\s*env\s*:\s*unknown\b/.test(rest) || body.includes('inEnvironment(');
}

export function entryPoints(): EntryPoint[] {
  const appDir = path.join(projectRoot, 'app');
  const out: EntryPoint[] = [];
  for (const abs of walk(appDir)) {
    const file = path.relative(projectRoot, abs).split(path.sep).join('/');
    const relDir = path.relative(appDir, path.dirname(abs)).split(path.sep).join('/');
    const base = path.basename(abs);
    const source = fs.readFileSync(abs, 'utf8');
    if (/^page\.(tsx|ts|jsx|js)$/.test(base)) out.push({ kind: 'page', file, url: urlOf(relDir) });
    else if (/^route\.(ts|js)$/.test(base)) {
      out.push({ kind: 'route', file, url: urlOf(relDir), methods: exportedFunctions(source).filter((n) => METHODS.includes(n)) });
    }
    if (/^\s*['"]use server['"]/.test(source)) {
      for (const exportName of exportedFunctions(source)) {
        const declared = new RegExp(`//\\s*access:\\s*([a-z-]+)\\s*\\n\\s*export\\s+async\\s+function\\s+${exportName}\\b`).exec(source);
        out.push({ kind: 'action', file, exportName, access: declared?.[1] ?? null, takesEnvironment: takesEnvironment(source, exportName) });
      }
    }
  }
  return out;
}

/** The role a page or route handler demands, read from its call to requirePageUser / withApiUser. */
export function declaredAccess(ep: EntryPoint): Access {
  if (ep.kind === 'action') return ep.access as Access;
  const source = fs.readFileSync(path.join(projectRoot, ep.file), 'utf8');
  const call = ep.kind === 'page' ? /requirePage(?:User|Caller)\((?:'(\w+)')?[,)]|requirePageContext\((?:await\s+)?[\w.]+(?:, '(\w+)')?[,)]/.exec(source) : /withApiUser\('(\w+)'/.exec(source);
  if (call) return (call[1] ?? call[2] ?? 'viewer') as Access;
  return null;
}

/**
 * The role one method of a route handler demands: the withApiUser call inside that exported
 * function (a route may let operators read and only admins write, as /api/v1/backups/schedule).
 */
export function declaredMethodAccess(ep: Extract<EntryPoint, { kind: 'route' }>, method: string): Access {
  const source = fs.readFileSync(path.join(projectRoot, ep.file), 'utf8');
  const start = new RegExp(`export\\s+(?:async\\s+)?function\\s+${method}\\b`).exec(source);
  if (!start) return declaredAccess(ep);
  const rest = source.slice(start.index + start[0].length);
  const next = /\nexport\s/.exec(rest);
  const call = /withApiUser\('(\w+)'/.exec(next ? rest.slice(0, next.index) : rest);
  return call ? (call[1] as Access) : declaredAccess(ep);
}
