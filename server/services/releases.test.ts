import { describe, expect, it } from 'vitest';
import { upgradeCandidates } from './releases';

describe('upgrade candidates', () => {
  it('are the releases above the live version, newest first', () => {
    expect(upgradeCandidates(['1.2.0', '1.1.0', '1.0.0'], '1.0.0')).toEqual(['1.2.0', '1.1.0']);
    expect(upgradeCandidates(['1.2.0', '1.1.0'], '1.2.0')).toEqual([]);
    // A live version newer than anything in the registry (a local build) is no reason to "upgrade".
    expect(upgradeCandidates(['1.2.0'], '1.3.0')).toEqual([]);
    expect(upgradeCandidates([], '1.0.0')).toEqual([]);
    expect(upgradeCandidates(['1.2.0'], null)).toEqual([]);
    expect(upgradeCandidates(['1.2.0'], 'dev')).toEqual([]);
  });

  it('never offer a pre-release', () => {
    expect(upgradeCandidates(['1.9.0-rc.1', '1.1.0', '1.0.0'], '1.0.0')).toEqual(['1.1.0']);
  });
});
