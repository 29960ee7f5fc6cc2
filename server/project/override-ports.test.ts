import { describe, expect, it } from 'vitest';
import { diffLines } from '@/lib/settings/env-diff';
import { parseComposeOverride } from './compose-override';
import { proxyPortsOf, renderProxyPorts } from './override-ports';
import { renderBundledDb } from './bundled-db-override';
import { renderPin } from './override-pins';

const FILE = '/d/compose.override.yml';

// Written by hand: no padding in the flow list, two spaces before a comment, single quotes.
const HAND = `# behind our nginx
services:
  proxy:
    ports: !override ["127.0.0.1:8080:80", "127.0.0.1:8443:443"]  # loopback only
  platform:
    image: 'ghcr.io/acme/platform:1.0.0'   # pinned
`;

const changedLines = (a: string, b: string) => {
  const A = a.split('\n');
  const B = b.split('\n');
  return { removed: A.filter((l) => !B.includes(l)), added: B.filter((l) => !A.includes(l)) };
};

describe('renderProxyPorts', () => {
  it('changes one port as one changed line, every other byte as the operator wrote it', () => {
    const out = renderProxyPorts(HAND, { bind: '127.0.0.1', http: 8081, https: 8443 }, FILE);
    expect(out).toBe(HAND.replace('127.0.0.1:8080:80', '127.0.0.1:8081:80'));
    expect(changedLines(HAND, out)).toEqual({
      removed: ['    ports: !override ["127.0.0.1:8080:80", "127.0.0.1:8443:443"]  # loopback only'],
      added: ['    ports: !override ["127.0.0.1:8081:80", "127.0.0.1:8443:443"]  # loopback only'],
    });
  });

  it('keeps a block list’s style and changes only the entry that changed', () => {
    const block = 'services:\n  proxy:\n    ports: !override\n      - "8080:80"\n      - "8443:443"\n';
    const out = renderProxyPorts(block, { bind: '', http: 8080, https: 9443 }, FILE);
    expect(out).toBe(block.replace('8443:443', '9443:443'));
  });

  it('adds the list under !override to a file without one, keeping the rest byte for byte', () => {
    const pinned = "services:\n  platform:\n    image: 'ghcr.io/acme/platform:1.0.0'   # pinned\n";
    const out = renderProxyPorts(pinned, { bind: '::', http: 8080, https: 8443 }, FILE);
    expect(out.startsWith(pinned.trimEnd().split('\n').slice(0, 3).join('\n'))).toBe(true);
    expect(out).toContain("    image: 'ghcr.io/acme/platform:1.0.0'   # pinned");
    expect(parseComposeOverride(out, FILE).proxy?.ports).toEqual([
      { hostIp: '::', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '::', hostPort: 8443, containerPort: 443, protocol: 'tcp' },
    ]);
  });

  it('creates the file for a loopback proxy behind another proxy', () => {
    const out = renderProxyPorts(null, { bind: '127.0.0.1', http: 8080, https: 8443 }, FILE);
    expect(proxyPortsOf(parseComposeOverride(out, FILE))).toEqual({ bind: '127.0.0.1', http: 8080, https: 8443 });
    expect(out).toContain('!override');
  });

  it('the defaults remove the entry (and the emptied proxy), so compose’s 80 and 443 apply again', () => {
    const out = renderProxyPorts(HAND, { bind: '', http: 80, https: 443 }, FILE);
    expect(out).toBe("# behind our nginx\nservices:\n  platform:\n    image: 'ghcr.io/acme/platform:1.0.0'   # pinned\n");
    expect(renderProxyPorts(null, { bind: '', http: 80, https: 443 }, FILE)).toBe('');
  });
});

describe('proxyPortsOf', () => {
  it('reads the defaults, the form’s shape, and null for a hand-written list the form cannot show', () => {
    expect(proxyPortsOf({})).toEqual({ bind: '', http: 80, https: 443 });
    expect(proxyPortsOf(parseComposeOverride(HAND, FILE))).toEqual({ bind: '127.0.0.1', http: 8080, https: 8443 });
    const odd = 'services:\n  proxy:\n    ports: !override ["10.1.2.3:80:80", "443:443"]\n';
    expect(proxyPortsOf(parseComposeOverride(odd, FILE))).toBeNull();
  });
});

describe('the other override writers keep a hand-written ports line', () => {
  it('configure (the bundled db switched off) adds lines and removes none', () => {
    const out = renderBundledDb(HAND, FILE, true) ?? '';
    const diff = diffLines(HAND, out);
    expect(changedLines(HAND, out).removed).toEqual([]);
    expect(out).toContain('    ports: !override ["127.0.0.1:8080:80", "127.0.0.1:8443:443"]  # loopback only');
    expect(JSON.stringify(diff)).toContain('disabled');
  });

  it('an image pin changes only the image line', () => {
    const out = renderPin(HAND, 'platform', 'ghcr.io/acme/platform:1.1.0', FILE);
    expect(changedLines(HAND, out)).toEqual({
      removed: ["    image: 'ghcr.io/acme/platform:1.0.0'   # pinned"],
      added: ["    image: 'ghcr.io/acme/platform:1.1.0' # pinned"],
    });
  });
});
