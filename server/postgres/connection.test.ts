import { describe, expect, it } from 'vitest';
import { parseConnectionUrl, sslOptions } from './connection';

describe('parseConnectionUrl', () => {
  it('reads every part and decodes the password', () => {
    expect(parseConnectionUrl('postgresql://admin:p%40ss%3Aw%2Frd@pg.example.com:6543/maint?sslmode=require')).toEqual({
      host: 'pg.example.com',
      port: 6543,
      user: 'admin',
      password: 'p@ss:w/rd',
      database: 'maint',
      sslMode: 'require',
    });
  });

  it('defaults port 5432, database postgres and sslmode disable; accepts postgres:// and IPv6', () => {
    expect(parseConnectionUrl('postgres://u:x@[fd00::1]')).toMatchObject({ host: 'fd00::1', port: 5432, database: 'postgres', sslMode: 'disable' });
  });

  it.each([
    ['mysql://u:x@h/db', /postgresql:\/\//],
    ['not a url', /Not a URL/],
    ['postgresql://h:5432/db', /no user/],
    ['postgresql://u:x@h/db?sslmode=prefer', /sslmode must be/],
    ['postgresql://u:x@h/db?sslmode=require&sslrootcert=/etc/passwd', /Unsupported URL parameter/],
    ['postgresql://u:x@h/db?host=/tmp', /Unsupported URL parameter/],
    ['postgresql://u:x@h/a/b', /single database/],
    ['postgresql://u:x@h/db#frag', /fragment/],
    ['postgresql://u:%E0%A4%A@h/db', /%-escape/],
  ])('refuses %s', (url, message) => {
    expect(() => parseConnectionUrl(url)).toThrow(message);
  });

  it('never puts the password into an error message', () => {
    expect.assertions(1);
    try {
      parseConnectionUrl('postgresql://u:hunter2secret@h/db?x=1');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('hunter2secret');
    }
  });
});

describe('sslOptions', () => {
  it('maps the three modes', () => {
    expect(sslOptions({ sslMode: 'disable', host: 'h' })).toBe(false);
    expect(sslOptions({ sslMode: 'require', host: 'h' })).toEqual({ rejectUnauthorized: false });
    expect(sslOptions({ sslMode: 'verify-full', host: 'pg.example.com', caCert: 'CA' })).toEqual({ rejectUnauthorized: true, ca: 'CA', servername: 'pg.example.com' });
  });
});
