import { describe, expect, it } from 'vitest';
import { applyPlanFor } from './settings-apply';

// One "Apply now" runs everything the saved changes need, in one operation: the colours' deploy
// also looks at the proxy (recreated only when its configuration hash changed).
describe('applyPlanFor', () => {
  const at = '2026-01-01T00:00:00.000Z';

  it('with the proxy and the colours pending (BASE_PATH), plans one deploy that includes the proxy', () => {
    expect(applyPlanFor({ proxy: at, colors: at }, '1.2.0')).toEqual({ version: '1.2.0', proxy: true, colors: true, options: { version: '1.2.0', proxy: true } });
  });

  it('with only the colours pending, still lets the deploy compare the proxy’s hash', () => {
    expect(applyPlanFor({ proxy: null, colors: at }, '1.2.0').options).toEqual({ version: '1.2.0', proxy: true });
  });

  it('with only the proxy pending (a TLS mode, the published ports), updates the proxy in place and no colour', () => {
    expect(applyPlanFor({ proxy: at, colors: null }, '1.2.0').options).toEqual({ version: '1.2.0', services: ['proxy'] });
  });
});
