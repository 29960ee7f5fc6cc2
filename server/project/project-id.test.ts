import { describe, expect, it } from 'vitest';
import { generateProjectId, isValidProjectId, projectIdPrefix } from './project-id';

describe('project id (docs/tale-cli.md#project-id)', () => {
  it.each([
    ['My App', 'my-app'],
    ['--Hello__World!!', 'hello-world'],
    ['ÄÖÜ', 'tale'],
    ['', 'tale'],
    ['a'.repeat(50), 'a'.repeat(33)],
    // Truncation at 33 can leave a trailing dash, which is trimmed again.
    [`${'b'.repeat(32)}-xyz`, 'b'.repeat(32)],
  ])('derives the prefix of %j as %j', (basename, prefix) => {
    expect(projectIdPrefix(basename)).toBe(prefix);
  });

  it('suffixes 6 random hex characters and stays a valid id of at most 40 chars', () => {
    const id = generateProjectId('x'.repeat(80));
    expect(id).toMatch(/^x{33}-[0-9a-f]{6}$/);
    expect(id.length).toBe(40);
    expect(isValidProjectId(id)).toBe(true);
    expect(generateProjectId('My App', () => Buffer.from([0xa3, 0xf1, 0xb2]))).toBe('my-app-a3f1b2');
  });

  it.each([
    ['my-app-a3f1b2', true],
    ['-bad', false],
    ['Bad', false],
    ['has_underscore', false],
    ['a'.repeat(40), true],
    ['a'.repeat(41), false],
  ])('validates %j as %s', (id, ok) => {
    expect(isValidProjectId(id)).toBe(ok);
  });
});
