import { describe, expect, it } from 'vitest';
import { firstHostAddress } from './subnet-gateway';

describe('firstHostAddress', () => {
  it("answers a subnet's first host address, as Docker picks a bridge's gateway", () => {
    expect(firstHostAddress('172.17.0.0/16')).toBe('172.17.0.1');
    expect(firstHostAddress('10.214.3.0/24')).toBe('10.214.3.1');
    expect(firstHostAddress('192.168.100.64/26')).toBe('192.168.100.65');
    // A subnet written with host bits set still answers its network's first address.
    expect(firstHostAddress('172.18.5.9/16')).toBe('172.18.0.1');
  });

  it('answers null for what is not an IPv4 subnet with room for hosts', () => {
    for (const s of ['fd00::/64', '172.17.0.0', '300.1.1.0/24', '10.0.0.0/31', '10.0.0.0/0', '']) expect(firstHostAddress(s)).toBeNull();
  });
});
