import { describe, expect, it } from 'vitest';
import { CodedError } from './errors';

class OtherError extends CodedError {}

describe('CodedError', () => {
  it('recognises a coded error thrown by another copy of this module', () => {
    // What a second bundle's class looks like: same global brand, a different constructor.
    const brand = Symbol.for('tale-console.coded-error');
    const foreign = Object.assign(new Error('No Tale project found'), { code: 'PROJECT_NOT_FOUND', [brand]: true });
    expect(foreign instanceof CodedError).toBe(true);
    expect(new Error('plain') instanceof CodedError).toBe(false);
    expect((null as unknown) instanceof CodedError).toBe(false);
  });

  it('keeps the ordinary check for subclasses', () => {
    expect(new OtherError('X', 'x') instanceof CodedError).toBe(true);
    expect(new OtherError('X', 'x') instanceof OtherError).toBe(true);
    expect(new CodedError('X', 'x') instanceof OtherError).toBe(false);
  });
});
