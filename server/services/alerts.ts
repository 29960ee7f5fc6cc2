import 'server-only';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { ActionResult } from '@/lib/action-result';
import type { AlertAttemptDto, AlertChannelDto, AlertTestResultDto, AlertThresholdsDto } from '@/lib/dto/alerts';
import { alertChannelIdSchema, alertChannelInputSchema, alertChannelUpdateSchema, alertDeliveriesQuerySchema, type AlertChannelInput } from '@/lib/schemas/alerts';
import { CodedError } from '@/lib/errors';
import { authorize, requireRole, type Caller } from '../auth/caller';
import type { StoredChannel } from '../alerts/channel';
import { channelDto, channelRow, listAttempts, listChannelRows, toStored } from '../alerts/store';
import { appendAudit } from '../db/audit-log';
import { alertChannels } from '../db/schema/alerts';
import type { Runtime } from '../runtime';
import { invalid } from './operation-start';

// Alert channels (docs/alerts.md): admins add, change, remove and test them; every signed-in role
// reads them and the delivery log, never a secret (a DTO says only whether one is set). Changes
// are audited with the DTO, which holds no secret, and whether the secret changed.

export function listAlertChannels(rt: Runtime, caller: Caller): AlertChannelDto[] {
  requireRole(caller, 'viewer');
  return listChannelRows(rt.db).map(channelDto);
}

/** The thresholds in force, for the Alerts page: set in the environment, so read-only here. */
export function alertThresholds(rt: Runtime, caller: Caller): AlertThresholdsDto {
  requireRole(caller, 'viewer');
  const a = rt.env.alerts;
  return { healthThresholdSeconds: a.healthThresholdMs / 1000, diskPercent: a.diskPercent, memoryPercent: a.memoryPercent, diskPath: a.diskPath, checkSeconds: a.checkIntervalMs / 1000, tlsDays: a.tlsDays };
}

export function listAlertDeliveries(rt: Runtime, caller: Caller, raw: unknown = {}): AlertAttemptDto[] {
  requireRole(caller, 'viewer');
  const parsed = alertDeliveriesQuerySchema.safeParse(raw);
  if (!parsed.success) throw new CodedError('INVALID_INPUT', 'Invalid query: limit is 1 to 500, channelId a channel id.');
  return listAttempts(rt.db, parsed.data);
}

type Built = { config: StoredChannel['config']; secret: string | null } | { field: string; message: string };

/** The stored form of an input: a secret left out is kept from `previous` when it still applies. */
function build(input: AlertChannelInput, previous: StoredChannel | null): Built {
  switch (input.kind) {
    case 'webhook': {
      const secret = input.secret ?? (previous?.kind === 'webhook' ? previous.secret : null);
      if (!secret) return { field: 'secret', message: 'A webhook needs a signing secret (at least 16 characters).' };
      return { config: { url: input.url }, secret };
    }
    case 'slack': {
      const secret = input.url ?? (previous?.kind === 'slack' ? previous.secret : null);
      if (!secret) return { field: 'url', message: 'The Slack webhook URL.' };
      return { config: { host: new URL(secret).host }, secret };
    }
    case 'email': {
      const config = { host: input.host, port: input.port, security: input.security, user: input.user ?? null, from: input.from, to: input.to };
      if (!input.user) {
        if (input.password) return { field: 'user', message: 'A password needs a user name.' };
        return { config, secret: null };
      }
      // A stored password belongs to the user it was given with.
      const secret = input.password ?? (previous?.kind === 'email' && previous.config.user === input.user ? previous.secret : null);
      if (!secret) return { field: 'password', message: 'The SMTP password of this user.' };
      return { config, secret };
    }
  }
}

function save(rt: Runtime, caller: Caller, input: AlertChannelInput, id: string | null, prefix: string): Promise<ActionResult<AlertChannelDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const previousRow = id ? channelRow(rt.db, id) : undefined;
    if (id && !previousRow) return { ok: false, code: 'NOT_FOUND', message: 'No such alert channel.' };
    const previous = previousRow ? toStored(previousRow) : null;
    const built = build(input, previous);
    if ('field' in built) return { ok: false, code: 'INVALID_INPUT', message: 'Check the highlighted fields.', fieldErrors: { [`${prefix}${built.field}`]: [built.message] } };
    const now = rt.clock.now();
    const values = { name: input.name, kind: input.kind, enabled: input.enabled, events: JSON.stringify(input.events), config: JSON.stringify(built.config), secret: built.secret, updatedAt: now, updatedBy: actor.email };
    const channelId = id ?? randomUUID();
    if (id) rt.db.update(alertChannels).set(values).where(eq(alertChannels.id, id)).run();
    else rt.db.insert(alertChannels).values({ id: channelId, createdAt: now, ...values }).run();
    const dto = channelDto(channelRow(rt.db, channelId)!);
    appendAudit(rt.db, {
      actor,
      action: id ? 'alerts.channel_update' : 'alerts.channel_create',
      target: channelId,
      params: { name: dto.name, kind: dto.kind, enabled: dto.enabled, events: dto.events, target: dto.target, settings: dto.settings, secretChanged: built.secret !== (previous?.secret ?? null) },
      sourceIp: caller.sourceIp,
      outcome: 'success',
    });
    return { ok: true, data: dto };
  });
}

export function createAlertChannel(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<AlertChannelDto>> {
  return authorize(caller, 'admin', async () => {
    const parsed = alertChannelInputSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    return save(rt, caller, parsed.data, null, '');
  });
}

/** `{ id, channel }`: the whole channel; secrets left out are kept. */
export function updateAlertChannel(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<AlertChannelDto>> {
  return authorize(caller, 'admin', async () => {
    const parsed = alertChannelUpdateSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    return save(rt, caller, parsed.data.channel, parsed.data.id, 'channel.');
  });
}

/** Removes the channel; its delivery log stays (with its name), pending deliveries are not sent. */
export function deleteAlertChannel(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<{ id: string }>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = alertChannelIdSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const row = channelRow(rt.db, parsed.data.id);
    if (!row) return { ok: false, code: 'NOT_FOUND', message: 'No such alert channel.' };
    rt.db.delete(alertChannels).where(eq(alertChannels.id, row.id)).run();
    appendAudit(rt.db, { actor, action: 'alerts.channel_delete', target: row.id, params: { name: row.name, kind: row.kind }, sourceIp: caller.sourceIp, outcome: 'success' });
    return { ok: true, data: { id: row.id } };
  });
}

/** Sends a test alert now, once (no retries), and answers how it went; in the delivery log as a test. */
export function testAlertChannel(rt: Runtime, caller: Caller, raw: unknown): Promise<ActionResult<AlertTestResultDto>> {
  return authorize(caller, 'admin', async (actor) => {
    const parsed = alertChannelIdSchema.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    const row = channelRow(rt.db, parsed.data.id);
    if (!row) return { ok: false, code: 'NOT_FOUND', message: 'No such alert channel.' };
    const result = await rt.alerts.sendTest(row.id);
    appendAudit(rt.db, { actor, action: 'alerts.channel_test', target: row.id, params: { name: row.name, kind: row.kind }, sourceIp: caller.sourceIp, outcome: result.ok ? 'success' : 'failure', message: result.error });
    return { ok: true, data: result };
  });
}
