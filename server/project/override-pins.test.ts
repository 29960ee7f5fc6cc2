import { describe, expect, it } from 'vitest';
import { STACK_SERVICES } from '@/lib/schemas/operations';
import { ALL_SERVICES } from '@/server/stack/types';
import { parseComposeOverride } from './compose-override';
import { renderPin } from './override-pins';

const FILE = '/srv/tale/compose.override.yml';
const BASE = [
  '# Local changes, kept by the console',
  'services:',
  '  proxy:',
  "    ports: !override ['127.0.0.1:18080:80', '127.0.0.1:18443:443']",
  '  db:',
  "    profiles: ['disabled'] # external database",
  '',
].join('\n');

describe('renderPin', () => {
  it('pins a service and keeps comments, tags and other services', () => {
    const next = renderPin(BASE, 'platform', 'registry.local:5000/tale/tale-platform:1.2.0', FILE);
    expect(next.startsWith(BASE.trimEnd())).toBe(true);
    expect(next).toContain('# external database');
    expect(next).toContain('!override');
    expect(parseComposeOverride(next, FILE).platform).toEqual({ image: 'registry.local:5000/tale/tale-platform:1.2.0' });
  });

  it('unpinning gives back the file without the pin', () => {
    const pinned = renderPin(BASE, 'platform', 'x/tale-platform:1.2.0', FILE);
    expect(renderPin(pinned, 'platform', null, FILE)).toBe(BASE);
  });

  it('creates a file from nothing and empties it again', () => {
    const created = renderPin(null, 'rag', 'x/tale-rag:2.0.0', FILE);
    expect(created).toBe('services:\n  rag:\n    image: x/tale-rag:2.0.0\n');
    expect(renderPin(created, 'rag', null, FILE)).toBe('');
  });

  it('refuses to edit a file the console does not understand', () => {
    expect(() => renderPin('services:\n  platform:\n    volumes: [x]\n', 'rag', 'x:1', FILE)).toThrow(/volumes/);
  });

  it('refuses an image that is not one reference', () => {
    expect(() => renderPin(BASE, 'platform', 'x:1\nports: [80]', FILE)).toThrow();
  });
});

it('the pin form knows exactly the stack’s services', () => expect([...STACK_SERVICES]).toEqual([...ALL_SERVICES]));
