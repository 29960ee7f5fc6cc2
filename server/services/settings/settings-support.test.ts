import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/dto/user';
import { openTempDb } from '../../db/test-support/temp-db';
import { markPending, pendingChanges, pendingSettings } from './settings-support';

// Pending marks are per environment: a change saved on staging waits for staging's apply and is
// not shown (nor applied) on the local environment, and the other way round.

const admin: SessionUser = { id: 'u-admin', email: 'admin@example.com', name: 'admin', role: 'admin' };
let temp: ReturnType<typeof openTempDb>;
beforeEach(() => {
  temp = openTempDb('tc-pending-');
});
afterEach(() => temp.dispose());

describe('pending marks', () => {
  it('keeps each environment its own', () => {
    markPending(temp.db, 'staging', 'compose.override.yml', { proxy: true, colors: false }, admin, ['proxy ports']);
    expect(pendingChanges(temp.db, 'staging')).toMatchObject({ proxy: expect.any(String), colors: null, files: ['compose.override.yml'] });
    expect(pendingSettings(temp.db, 'staging')).toEqual(['proxy ports']);
    expect(pendingChanges(temp.db, 'local')).toEqual({ proxy: null, colors: null, files: [] });
    expect(pendingSettings(temp.db, 'local')).toEqual([]);

    markPending(temp.db, 'local', '.env', { proxy: false, colors: true }, admin, ['BASE_PATH']);
    expect(pendingChanges(temp.db, 'local')).toMatchObject({ proxy: null, colors: expect.any(String), files: ['.env'] });
    expect(pendingSettings(temp.db, 'local')).toEqual(['BASE_PATH']);
    // Staging's marks are as they were.
    expect(pendingChanges(temp.db, 'staging')).toMatchObject({ colors: null, files: ['compose.override.yml'] });
    expect(pendingSettings(temp.db, 'staging')).toEqual(['proxy ports']);
  });
});
