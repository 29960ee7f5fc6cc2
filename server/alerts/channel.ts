import { z } from 'zod';
import { ALERT_EVENTS } from '@/lib/alerts/events';
import { SMTP_SECURITY } from '@/lib/schemas/alerts';

// A channel as stored: the settings that are not secret as JSON, the secret apart (the webhook's
// signing secret, the Slack URL, the SMTP password). Parsed again on every read, so a row an older
// console wrote cannot reach a transport half-understood.

export const webhookConfigSchema = z.strictObject({ url: z.string() });
export const slackConfigSchema = z.strictObject({ host: z.string() });
export const emailConfigSchema = z.strictObject({
  host: z.string(),
  port: z.number().int(),
  security: z.enum(SMTP_SECURITY),
  user: z.string().nullable(),
  from: z.string(),
  to: z.array(z.string()),
});

export type StoredChannel = { id: string; name: string; enabled: boolean; events: (typeof ALERT_EVENTS)[number][]; secret: string | null } & (
  | { kind: 'webhook'; config: z.infer<typeof webhookConfigSchema> }
  | { kind: 'slack'; config: z.infer<typeof slackConfigSchema> }
  | { kind: 'email'; config: z.infer<typeof emailConfigSchema> }
);

export const eventsSchema = z.array(z.enum(ALERT_EVENTS));
