import { describe, expect, it } from 'vitest';
import { envApplyTargets, pinApplyTargets } from './apply-targets';

describe('apply targets', () => {
  it('TLS keys recreate the proxy only; domain keys both; secrets and unknown keys the colors; CLI knobs nothing', () => {
    expect(envApplyTargets(['TLS_MODE', 'TLS_EMAIL'])).toEqual({ proxy: true, colors: false });
    expect(envApplyTargets(['BASE_PATH'])).toEqual({ proxy: true, colors: true });
    expect(envApplyTargets(['BETTER_AUTH_SECRET', 'SOMETHING_NEW'])).toEqual({ proxy: false, colors: true });
    expect(envApplyTargets(['HEALTH_CHECK_TIMEOUT', 'DRAIN_TIMEOUT'])).toEqual({ proxy: false, colors: false });
  });
  it('pins apply to the pinned service', () => {
    expect(pinApplyTargets('proxy')).toEqual({ proxy: true, colors: false });
    expect(pinApplyTargets('rag')).toEqual({ proxy: false, colors: true });
    expect(pinApplyTargets('db')).toEqual({ proxy: false, colors: false });
  });
});
