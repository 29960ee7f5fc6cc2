import { describe, expect, it } from 'vitest';
import { fieldErrors } from './field-errors';
import { adminConnectionSchema, configureSchema, prepareSchema } from './external-database';

const good = { kind: 'fields', host: 'pg.example.com', port: '5432', user: 'postgres', password: 'x', database: 'postgres', sslMode: 'disable' };

describe('external database schemas', () => {
  it('accepts fields and a URL', () => {
    expect(adminConnectionSchema.parse(good)).toMatchObject({ host: 'pg.example.com', port: 5432 });
    expect(adminConnectionSchema.parse({ kind: 'url', url: 'postgresql://u:p@h/db' })).toMatchObject({ kind: 'url' });
  });

  it('keeps field errors on the fields', () => {
    const r = adminConnectionSchema.safeParse({ ...good, host: 'evil host;rm', port: '70000' });
    expect(r.success).toBe(false);
    expect(Object.keys(fieldErrors(r.error!)).sort()).toEqual(['host', 'port']);
  });

  it('wants a CA for verify-full, and a PEM one', () => {
    const r = adminConnectionSchema.safeParse({ ...good, sslMode: 'verify-full' });
    expect(fieldErrors(r.error!).caCert).toEqual(['verify-full needs the CA certificate']);
    expect(adminConnectionSchema.safeParse({ ...good, sslMode: 'verify-full', caCert: 'not pem' }).success).toBe(false);
  });

  it('refuses control characters, unknown keys and bad role names', () => {
    expect(adminConnectionSchema.safeParse({ ...good, password: 'a\nb' }).success).toBe(false);
    expect(adminConnectionSchema.safeParse({ ...good, extra: 1 }).success).toBe(false);
    expect(prepareSchema.safeParse({ connection: good, role: 'Tale; DROP' }).success).toBe(false);
    expect(prepareSchema.parse({ connection: good })).toMatchObject({ role: 'tale', rotatePassword: false });
    expect(configureSchema.safeParse({ connection: good, role: 'tale', rolePassword: 'short', apply: true }).success).toBe(false);
  });
});
