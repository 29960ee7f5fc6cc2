import { describe, expect, it } from 'vitest';
import { alertChannelInputSchema } from './alerts';

const webhook = { kind: 'webhook', name: 'ops', events: ['operation.failed'], url: 'https://hooks.example.com/tale', secret: 'sixteen-chars-ok' };
const email = { kind: 'email', name: 'mail', events: ['operation.failed'], host: 'smtp.example.com', port: 587, security: 'starttls', user: 'tale', password: 'pw', from: 'tale@example.com', to: ['ops@example.com'] };

const refused = (input: unknown) => {
  const r = alertChannelInputSchema.safeParse(input);
  return r.success ? null : r.error.issues.map((i) => i.path.join('.'));
};

describe('alert channel input', () => {
  it('accepts a webhook, a Slack channel and an email channel', () => {
    expect(refused(webhook)).toBeNull();
    expect(refused({ kind: 'slack', name: 's', events: ['backup.failed'], url: 'https://hooks.slack.com/services/T/B/x' })).toBeNull();
    expect(refused(email)).toBeNull();
  });

  it('refuses URLs that are not http(s), carry credentials or are not URLs', () => {
    expect(refused({ ...webhook, url: 'ftp://example.com/x' })).toEqual(['url']);
    expect(refused({ ...webhook, url: 'file:///etc/passwd' })).toEqual(['url']);
    expect(refused({ ...webhook, url: 'https://user:pw@example.com/x' })).toEqual(['url']);
    expect(refused({ ...webhook, url: 'javascript:alert(1)' })).toEqual(['url']);
    expect(refused({ kind: 'slack', name: 's', events: ['backup.failed'], url: 'https://u:p@hooks.slack.com/x' })).toEqual(['url']);
  });

  it('refuses a short secret, no events, unknown events and unknown keys', () => {
    expect(refused({ ...webhook, secret: 'short' })).toEqual(['secret']);
    expect(refused({ ...webhook, events: [] })).toEqual(['events']);
    expect(refused({ ...webhook, events: ['everything'] })).toEqual(['events.0']);
    expect(refused({ ...webhook, extra: 1 })).toEqual(['']);
    expect(refused({ ...webhook, kind: 'pager' })).not.toBeNull();
  });

  it('refuses bad SMTP hosts, ports, security modes and addresses', () => {
    expect(refused({ ...email, host: 'smtp.example.com -oProxyCommand' })).toEqual(['host']);
    expect(refused({ ...email, port: 0 })).toEqual(['port']);
    expect(refused({ ...email, port: 70000 })).toEqual(['port']);
    expect(refused({ ...email, security: 'ssl' })).toEqual(['security']);
    expect(refused({ ...email, from: 'not an address' })).toEqual(['from']);
    expect(refused({ ...email, to: [] })).toEqual(['to']);
    expect(refused({ ...email, to: ['ops@example.com', 'x'] })).toEqual(['to.1']);
    expect(refused({ ...email, to: 'ops@example.com' })?.every((p) => p === 'to')).toBe(true);
  });
});
