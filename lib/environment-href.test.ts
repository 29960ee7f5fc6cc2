import { describe, expect, it } from 'vitest';
import { environmentHref } from './environment-href';

describe('environmentHref', () => {
  it('keeps the bare path for the local environment or none', () => {
    expect(environmentHref('/backups', null)).toBe('/backups');
    expect(environmentHref('/backups', 'local')).toBe('/backups');
  });
  it('adds the environment, beside an existing query and before a fragment', () => {
    expect(environmentHref('/deployments/op1', 'staging')).toBe('/deployments/op1?env=staging');
    expect(environmentHref('/deployments?version=1.2', 'staging')).toBe('/deployments?version=1.2&env=staging');
    expect(environmentHref('/settings#initialise', 'staging')).toBe('/settings?env=staging#initialise');
  });
  it('replaces an environment the path already names', () => {
    expect(environmentHref('/disk?env=other', 'staging')).toBe('/disk?env=staging');
  });
});
