import { describe, expect, it } from 'vitest';
import { parseDf } from './preflight-docker';

describe('the data root read by df in a helper container', () => {
  it('reads total and available 1024-byte blocks from df -Pk (GNU and busybox alike)', () => {
    const gnu = 'Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda         263174212 30214564  76011516      29% /data-root\n';
    expect(parseDf(gnu)).toEqual({ totalBytes: 263174212 * 1024, freeBytes: 76011516 * 1024 });
    const busybox = 'Filesystem           1024-blocks    Used Available Capacity Mounted on\noverlay                 16384         0     16384   0% /data-root\n';
    expect(parseDf(busybox)).toEqual({ totalBytes: 16384 * 1024, freeBytes: 16384 * 1024 });
  });
  it('refuses an answer that is not df output', () => {
    expect(parseDf('df: /data-root: No such file or directory')).toBeNull();
    expect(parseDf('')).toBeNull();
  });
});
