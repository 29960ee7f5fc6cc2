import { describe, expect, it } from 'vitest';
import { adminKeyFrom } from './convex-admin';

describe('convex admin key', () => {
  it('reads the key from the banner generate-admin-key.sh prints', () => {
    const banner = [
      '==========================================',
      '  Convex Dashboard',
      '   Dashboard URL:  https://tale.example.com/convex-dashboard',
      '   Deployment URL: https://tale.example.com',
      '   Admin Key:      tale_platform|01ab23cd',
      '',
      '1. Open the dashboard URL',
    ].join('\n');
    expect(adminKeyFrom(banner)).toBe('tale_platform|01ab23cd');
    expect(adminKeyFrom('INSTANCE_SECRET must be a 64-character hex string')).toBeNull();
  });
});
