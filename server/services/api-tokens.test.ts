import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listApiTokens } from '../db/api-tokens';
import { queryAudit } from '../db/audit-log';
import { accountWorld, type AccountWorld } from '../test-support/account-runtime';
import { createToken } from './api-tokens';

// Tokens act for whoever holds them, so only an admin may make one, and an admin the enrol-first
// gate holds may not make one either (it would be a way around the gate).

let world: AccountWorld;
beforeEach(() => (world = accountWorld()));
afterEach(() => world.dispose());

const input = { name: 'ci', role: 'viewer', expiresInDays: 30 };

describe('creating an API token', () => {
  it('is refused to an operator, and nothing is stored', async () => {
    const operator = world.addUser('operator');
    const result = await createToken(world.rt, world.callerOf(operator), input);
    expect(result).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(listApiTokens(world.rt.db)).toEqual([]);
  });

  it('is refused to an admin who must enrol a second factor first', async () => {
    const admin = { ...world.addUser('admin'), mustEnrolTotp: true as const };
    const result = await createToken(world.rt, world.callerOf(admin), input);
    expect(result).toMatchObject({ ok: false, code: 'TOTP_ENROLMENT_REQUIRED' });
    expect(listApiTokens(world.rt.db)).toEqual([]);
  });

  it('works for an admin and is audited from the caller’s address, without the secret', async () => {
    const admin = world.addUser('admin');
    const result = await createToken(world.rt, world.callerOf(admin), input);
    if (!result.ok) throw new Error(result.message);
    expect(listApiTokens(world.rt.db).map((t) => t.name)).toEqual(['ci']);
    const [row] = queryAudit(world.rt.db, { action: 'api_tokens.create', limit: 5 });
    expect(row).toMatchObject({ outcome: 'success', sourceIp: '203.0.113.7', target: result.data.id });
    expect(JSON.stringify(row)).not.toContain(result.data.token);
  });
});
