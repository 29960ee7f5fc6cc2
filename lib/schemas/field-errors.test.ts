import { expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrors } from './field-errors';

it('keeps a field named after an Object.prototype member as an ordinary field', () => {
  const schema = z.record(z.string(), z.string());
  const parsed = schema.safeParse(JSON.parse('{"constructor":1,"toString":2,"hasOwnProperty":3,"ok":"x"}'));
  expect(parsed.success).toBe(false);
  const errors = fieldErrors(parsed.error!);
  expect(Object.keys(errors).sort()).toEqual(['constructor', 'hasOwnProperty', 'toString']);
  expect(errors.constructor).toEqual([expect.any(String)]);
  expect(Object.getPrototypeOf(errors)).toBe(Object.prototype);
});

it('collects several messages for one field and names form-level issues `_`', () => {
  const schema = z.strictObject({ a: z.string().min(3).regex(/^\d+$/) });
  expect(fieldErrors(schema.safeParse({ a: 'x' }).error!)).toEqual({ a: [expect.any(String), expect.any(String)] });
  expect(Object.keys(fieldErrors(schema.safeParse({ a: '123', b: 1 }).error!))).toEqual(['_']);
});
