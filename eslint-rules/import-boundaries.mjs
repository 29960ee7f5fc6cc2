// Enforces the import table of docs/architecture.md#import-rules. Specifiers are resolved to a project-relative
// path first, so `../docker/x`, `@/server/docker/x` and `server/docker/x` are judged alike.
import path from 'node:path';

const FRAMEWORK = [/^next(\/|$)/, /^react(-dom)?(\/|$)/, /^server-only$/, /^next-auth(\/|$)/];
const IO_LIBS = [/^dockerode$/, /^drizzle-orm(\/|$)/, /^better-sqlite3$/, /^pg$/];
const NEXT_AND_REACT = FRAMEWORK.filter((re) => !re.test('server-only'));

/**
 * Folders that app/ may call directly besides server/services and server/auth, each with its own
 * row: what it may import (besides lib and itself), and which other areas of server/ may import it.
 * Neither imports the console's state (db, operations, services) itself: they are plumbing the
 * services and routes share, not a way around the services.
 */
const EDGE_HELPERS = {
  // Log streaming: follows containers through the Docker adapter, knows the project's names.
  'server/logs': {
    mayImport: ['server/docker', 'server/project', 'server/stack', 'server/env'],
    importedBy: ['server/services', 'server/operations', 'server/runtime'],
  },
  // HTTP plumbing of route handlers: coded errors to statuses, JSON bodies, SSE, security headers.
  'server/http': {
    mayImport: ['server/auth', 'server/env'],
    importedBy: ['server/services', 'server/operations', 'server/runtime'],
  },
};

/** @returns {string} area of a project-relative path: 'server/engine', 'app', 'lib', … */
export function areaOf(rel) {
  const parts = rel.split('/');
  if (parts[0] === 'server') {
    if (parts.length === 2) return `server/${parts[1].replace(/\.(test\.)?tsx?$/, '')}`;
    return `server/${parts[1]}`;
  }
  return parts[0];
}

function resolveTarget(spec, fileRel) {
  if (spec.startsWith('@/')) return { rel: spec.slice(2) };
  if (spec.startsWith('.')) {
    return { rel: path.posix.normalize(path.posix.join(path.posix.dirname(fileRel), spec)) };
  }
  return { pkg: spec };
}

/**
 * @returns {string | null} why the import is refused, or null when it is allowed
 */
export function checkImport(fileRel, spec, isTypeOnly) {
  const from = areaOf(fileRel);
  const target = resolveTarget(spec, fileRel);
  const to = target.rel ? areaOf(target.rel) : null;
  const pkg = target.pkg ?? null;
  const isTest = /\.test\.tsx?$/.test(fileRel);

  if (pkg === 'dockerode' && from !== 'server/docker' && !isTest) {
    return 'only server/docker may import dockerode';
  }

  if (from in EDGE_HELPERS) {
    const { mayImport } = EDGE_HELPERS[from];
    if (pkg && [...NEXT_AND_REACT, ...IO_LIBS].some((re) => re.test(pkg))) {
      return `${from} needs neither Next nor a database or Docker library: no ${pkg}`;
    }
    if (to && to !== from && to !== 'lib' && !mayImport.includes(to)) {
      return `${from} may import only ${[...mayImport, 'lib'].join(', ')}`;
    }
    return null;
  }

  if (to && to in EDGE_HELPERS && from.startsWith('server/') && from !== to && !EDGE_HELPERS[to].importedBy.includes(from)) {
    return `${to} serves app/ and ${EDGE_HELPERS[to].importedBy.join(', ')}, not ${from}`;
  }

  if (from === 'server/engine' || from === 'server/stack') {
    if (pkg && [...FRAMEWORK, ...IO_LIBS].some((re) => re.test(pkg))) {
      return `${from} is framework-free: no ${pkg}`;
    }
    if (to && to.startsWith('server/') && to !== 'server/engine' && to !== 'server/stack') {
      return `${from} may import only server/engine, server/stack and lib`;
    }
    if (to === 'app' || to === 'components') return `${from} must not import ${to}/`;
    return null;
  }

  if (['server/docker', 'server/registry', 'server/postgres', 'server/project'].includes(from)) {
    if (pkg && /^next(\/|$)/.test(pkg)) return `${from} must not import next`;
    if (to === 'app' || to === 'components') return `${from} must not import ${to}/`;
    return null;
  }

  if (from === 'server/services' || from === 'server/operations') {
    // The runtime and the caller come in as arguments (docs/architecture.md#runtime): reaching for
    // the process's runtime or the request from here would make the service untestable without Next.
    if (to === 'server/runtime' && !isTypeOnly && !isTest) return `${from} receives the runtime as an argument: only \`import type\` from server/runtime`;
    if (pkg && /^next(\/|$)/.test(pkg)) return `${from} gets the request's facts from the edge (a Caller), not from ${pkg}`;
    if (target.rel && /^server\/auth\/(session|request-ip)(\.ts)?$/.test(target.rel)) return `${from} receives its caller from the edge: no server/auth/session or request-ip`;
  }

  if (from.startsWith('server/') || from === 'server') {
    if (to === 'app' || to === 'components') return `server code must not import ${to}/`;
    return null;
  }

  if (from === 'app') {
    const allowed = ['server/services', 'server/auth', 'server/runtime', ...Object.keys(EDGE_HELPERS)];
    if (to && to.startsWith('server/') && !allowed.includes(to) && !isTest) {
      return `app/ reaches the server through ${allowed.join(', ')}, not ${to}`;
    }
    if (pkg && IO_LIBS.some((re) => re.test(pkg))) return `app/ must not import ${pkg}`;
    return null;
  }

  if (from === 'components' || from === 'lib') {
    if (to && to.startsWith('server/') && !isTypeOnly) {
      return `${from}/ may only \`import type\` from server/`;
    }
    if (pkg && (pkg.startsWith('node:') || IO_LIBS.some((re) => re.test(pkg)))) {
      return `${from}/ is isomorphic: no ${pkg}`;
    }
    if (from === 'lib' && to === 'components') return 'lib/ must not import components/';
    return null;
  }
  return null;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce the import table of docs/architecture.md#import-rules' },
    schema: [],
    messages: { refused: '{{why}} (docs/architecture.md#import-rules)' },
  },
  create(context) {
    const fileRel = path.relative(context.cwd, context.filename).split(path.sep).join('/');
    const check = (node, spec, typeOnly) => {
      if (typeof spec !== 'string') return;
      const why = checkImport(fileRel, spec, typeOnly);
      if (why) context.report({ node, messageId: 'refused', data: { why } });
    };
    return {
      ImportDeclaration(node) {
        check(node, node.source.value, node.importKind === 'type');
      },
      ExportNamedDeclaration(node) {
        if (node.source) check(node, node.source.value, node.exportKind === 'type');
      },
      ExportAllDeclaration(node) {
        check(node, node.source.value, node.exportKind === 'type');
      },
      ImportExpression(node) {
        if (node.source.type === 'Literal') check(node, node.source.value, false);
      },
    };
  },
};

export default { rules: { 'import-boundaries': rule } };
