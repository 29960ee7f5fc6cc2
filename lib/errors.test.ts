import { describe, expect, it, vi } from 'vitest';
import { CodedError } from './errors';

// Two copies of the same module, as Next makes one per bundle: an error thrown by one copy's
// class must still be that class to the other's `instanceof`.
async function secondCopy(): Promise<typeof import('./errors')> {
  vi.resetModules();
  return import('./errors');
}

describe('coded errors across module copies', () => {
  it('are instances of the other copy’s class, subclasses by their own brand', async () => {
    const other = await secondCopy();
    expect(other.CodedError).not.toBe(CodedError);
    class ProjectishError extends other.CodedError {
      static override readonly brand: string = 'ProjectishError';
    }
    class LocalProjectishError extends CodedError {
      static override readonly brand: string = 'ProjectishError';
    }
    class UnbrandedError extends CodedError {}
    const thrown = new ProjectishError('PROJECT_NOT_FOUND', 'No Tale project found.');
    expect(thrown instanceof CodedError).toBe(true);
    expect(thrown instanceof LocalProjectishError).toBe(true);
    expect(thrown instanceof UnbrandedError).toBe(false);
    expect(new other.CodedError('X', 'x') instanceof LocalProjectishError).toBe(false);
    expect(new UnbrandedError('X', 'x') instanceof UnbrandedError).toBe(true);
    expect(new Error('plain') instanceof CodedError).toBe(false);
    expect((null as unknown as object) instanceof CodedError).toBe(false);
  });
});
