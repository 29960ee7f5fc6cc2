import { describe, expect, it } from 'vitest';
import { APPLIES_SETTINGS, operationPurpose } from './operation-purpose';

describe('operation purpose', () => {
  it('names a release change by its direction', () => {
    expect(operationPurpose({ kind: 'deploy', params: { version: '1.1.0' }, result: { version: '1.1.0', previousVersion: '1.0.0' } })).toBe('Upgrade 1.0.0 → 1.1.0');
    expect(operationPurpose({ kind: 'deploy', params: { version: '1.0.0' }, result: { version: '1.0.0', previousVersion: '1.1.0' } })).toBe('Downgrade 1.1.0 → 1.0.0');
    expect(operationPurpose({ kind: 'deploy', params: { version: '1.2.0' }, result: null })).toBe('Deploy 1.2.0');
    expect(operationPurpose({ kind: 'deploy', params: {}, result: null })).toBe('Deploy the newest release');
    expect(operationPurpose({ kind: 'rollback', params: {}, result: { version: '1.0.0' } })).toBe('Rollback to 1.0.0');
    expect(operationPurpose({ kind: 'backup', params: { kind: 'manual' }, result: null })).toBe('Backup');
  });

  it('names a promotion by its version and source', () => {
    expect(operationPurpose({ kind: 'promote', params: { from: 'local', fromName: 'Local', version: '1.2.0' }, result: null })).toBe('Promote 1.2.0 from Local');
  });

  it('says that an Apply now applied settings, and which', () => {
    expect(operationPurpose({ kind: 'update', params: { version: '1.0.0', services: ['proxy'], [APPLIES_SETTINGS]: ['TLS_MODE', 'BASE_PATH'] }, result: null })).toBe(
      'Apply settings: TLS_MODE, BASE_PATH',
    );
    expect(operationPurpose({ kind: 'deploy', params: { version: '1.0.0', [APPLIES_SETTINGS]: ['OPENAI_MODEL'] }, result: { version: '1.0.0', previousVersion: null } })).toBe(
      'Apply settings: OPENAI_MODEL',
    );
    // Without the mark, an update in place says what it updated.
    expect(operationPurpose({ kind: 'update', params: { version: '1.0.0', services: ['proxy'] }, result: null })).toBe('Update proxy in place at 1.0.0');
  });

  it('says how many unused images a prune removes and how much it frees at least', () => {
    expect(operationPurpose({ kind: 'prune-images', params: { images: ['r/tale-platform:0.9.0', 'r/tale-rag:0.9.0'], freedBytes: 52_428_800 }, result: null })).toBe(
      'Remove unused images: 2 images, at least 50.0 MiB',
    );
    expect(operationPurpose({ kind: 'prune-images', params: { images: ['a', 'b'], freedBytes: 1 }, result: { removed: 1, freedBytes: 1024 } })).toBe('Remove unused images: 1 image, at least 1.0 KiB');
  });

  it('keeps the earlier check', () => {
    expect(operationPurpose({ kind: 'update', params: { version: '1.0.0', services: ['proxy'] }, result: null })).toBe('Update proxy in place at 1.0.0');
  });
});
