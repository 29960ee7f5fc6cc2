import { describe, expect, it } from 'vitest';
import { switchHref, withEnv } from './env-href';

describe('withEnv', () => {
  it('adds nothing for the local environment, so the old URLs stay as they were', () => {
    expect(withEnv('/deployments', 'local')).toBe('/deployments');
    expect(withEnv('/api/overview', 'local')).toBe('/api/overview');
    expect(withEnv('/deployments?version=1.2.0#deploy', 'local')).toBe('/deployments?version=1.2.0#deploy');
  });

  it('drops an env another environment left in the link when the target is local', () => {
    expect(withEnv('/logs?env=staging&service=rag', 'local')).toBe('/logs?service=rag');
  });

  it('sets env on a bare path, beside an existing query and before the fragment', () => {
    expect(withEnv('/', 'staging')).toBe('/?env=staging');
    expect(withEnv('/api/logs/stream?service=all&tail=200', 'staging')).toBe('/api/logs/stream?service=all&tail=200&env=staging');
    expect(withEnv('/deployments?version=1.2.0#deploy', 'prod-eu')).toBe('/deployments?version=1.2.0&env=prod-eu#deploy');
    expect(withEnv('/settings#initialise', 'staging')).toBe('/settings?env=staging#initialise');
  });

  it('replaces the env a link already had instead of adding a second one', () => {
    expect(withEnv('/deployments?env=local&kind=deploy', 'staging')).toBe('/deployments?env=staging&kind=deploy');
  });

  it('keeps encoded parameters encoded', () => {
    expect(withEnv('/logs?since=2026-01-01T00%3A00%3A00.000Z', 'staging')).toBe('/logs?since=2026-01-01T00%3A00%3A00.000Z&env=staging');
  });
});

describe('switchHref', () => {
  it('keeps the page and its parameters, changing only env', () => {
    expect(switchHref('/deployments', '?kind=deploy&env=local', 'staging')).toBe('/deployments?kind=deploy&env=staging');
    expect(switchHref('/logs', '', 'staging')).toBe('/logs?env=staging');
    expect(switchHref('/', '?env=staging', 'local')).toBe('/');
  });

  it('sends an operation page to the deployments of the other environment', () => {
    expect(switchHref('/deployments/op_123', '?env=local', 'staging')).toBe('/deployments?env=staging');
    expect(switchHref('/deployments/op_123', '?env=staging', 'local')).toBe('/deployments');
  });
});
