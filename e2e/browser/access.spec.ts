import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { projectRoot } from '../support/paths';
import { entryPoints, OPEN_PAGES, OPEN_ROUTES } from '../support/entry-points';
import { actionIds, callAction } from '../support/server-actions';

// Everything the source tree holds, except OPEN_PAGES and OPEN_ROUTES, must refuse a visitor
// without a session.
// Open, but guarded by the one-time setup token instead of a session.
const TOKEN_GUARDED_ACTIONS = new Set(['app/(auth)/setup/actions.ts#setupAction']);

const all = entryPoints();

test('the source tree yields the entry points we know of', () => {
  expect(all).toContainEqual(expect.objectContaining({ kind: 'page', url: '/users' }));
  expect(all).toContainEqual(expect.objectContaining({ kind: 'route', url: '/api/v1/me', methods: ['GET'] }));
  expect(all).toContainEqual(expect.objectContaining({ kind: 'action', exportName: 'setupAction' }));
});

test('responses forbid framing and MIME sniffing', async ({ baseURL }) => {
  for (const url of ['/login', '/api/health/live']) {
    const res = await fetch(`${baseURL}${url}`, { redirect: 'manual' });
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  }
});

for (const ep of all) {
  if (ep.kind === 'page' && !OPEN_PAGES.has(ep.url)) {
    // A layout's redirect is convenience: Next renders pages beside their layout, so each page
    // must refuse on its own.
    test(`page ${ep.file} checks the session itself`, () => {
      expect(fs.readFileSync(path.join(projectRoot, ep.file), 'utf8')).toMatch(/await requirePage(?:User|Caller|Context)\(/);
    });
  }
  if (ep.kind === 'page' && !OPEN_PAGES.has(ep.url)) {
    test(`page ${ep.url} (${ep.file}) redirects a visitor without a session`, async ({ baseURL }) => {
      const res = await fetch(`${baseURL}${ep.url}`, { redirect: 'manual' });
      expect([302, 303, 307, 308]).toContain(res.status);
      expect(res.headers.get('location')).toMatch(/^(https?:\/\/[^/]+)?\/(login|setup)(\?|$)/);
    });
  }
  if (ep.kind === 'route' && !OPEN_ROUTES.has(ep.url)) {
    for (const method of ep.methods) {
      test(`${method} ${ep.url} (${ep.file}) answers 401/403 without a session`, async ({ baseURL }) => {
        const res = await fetch(`${baseURL}${ep.url}`, { method, redirect: 'manual' });
        expect([401, 403]).toContain(res.status);
      });
    }
  }
  if (ep.kind === 'action') {
    const key = `${ep.file}#${ep.exportName}`;
    test(`action ${key} refuses a caller without a session`, async ({ baseURL }) => {
      const id = actionIds().get(key);
      expect(id, `${key} is not in the build's action manifest`).toBeTruthy();
      const body = await callAction(baseURL!, id!, [{ token: 'not-the-token', name: 'x', email: 'x@example.com', password: 'p'.repeat(12), confirm: 'p'.repeat(12) }]);
      expect(body).not.toContain('"ok":true');
      const refusals = TOKEN_GUARDED_ACTIONS.has(key) ? /BAD_SETUP_TOKEN|SETUP_CLOSED/ : /UNAUTHENTICATED|FORBIDDEN/;
      expect(body).toMatch(refusals);
    });
  }
}
