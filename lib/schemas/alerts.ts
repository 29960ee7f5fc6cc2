import { z } from 'zod';
import { ALERT_EVENTS } from '../alerts/events';
import { emailSchema } from './auth';

// An alert channel as an admin saves it (docs/alerts.md). Secrets (the webhook's signing secret,
// the Slack webhook URL, which carries its own token, and the SMTP password) are optional on a
// later save: left out, the stored one is kept. The service asks for them on a new channel.

/** http or https, a host, no user or password in it (credentials belong in the secret fields). */
export const alertUrlSchema = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname, error: 'An http:// or https:// URL' })
  .max(2000)
  .refine((u) => {
    const url = new URL(u);
    return !url.username && !url.password;
  }, 'No user name or password in the URL');

const host = z
  .string()
  .trim()
  .max(253)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/, 'A host name or an IPv4 address');

const common = {
  name: z.string().trim().min(1, 'A name').max(80),
  enabled: z.boolean().default(true),
  events: z
    .array(z.enum(ALERT_EVENTS))
    .min(1, 'Choose at least one event')
    .max(ALERT_EVENTS.length)
    .transform((list) => [...new Set(list)]),
};

export const webhookChannelSchema = z.strictObject({
  kind: z.literal('webhook'),
  ...common,
  url: alertUrlSchema,
  /** Signs every body (HMAC-SHA256). Omitted on a later save: the stored one is kept. */
  secret: z.string().min(16, 'At least 16 characters').max(256).optional(),
});

export const slackChannelSchema = z.strictObject({
  kind: z.literal('slack'),
  ...common,
  /** A Slack-compatible incoming webhook; its URL is its credential, so it is kept like a secret. */
  url: alertUrlSchema.optional(),
});

export const SMTP_SECURITY = ['starttls', 'tls', 'none'] as const;

export const emailChannelSchema = z.strictObject({
  kind: z.literal('email'),
  ...common,
  host,
  port: z.number().int().min(1).max(65535),
  /** starttls: upgrade on 587 and refuse without it; tls: TLS from the start (465); none: plain (a relay on the same host). */
  security: z.enum(SMTP_SECURITY),
  user: z.string().trim().min(1).max(256).optional(),
  /** Omitted on a later save: the stored one is kept (with the same user). */
  password: z.string().min(1).max(256).optional(),
  from: emailSchema,
  to: z.array(emailSchema).min(1, 'At least one recipient').max(10),
});

export const alertChannelInputSchema = z.discriminatedUnion('kind', [webhookChannelSchema, slackChannelSchema, emailChannelSchema]);
export type AlertChannelInput = z.infer<typeof alertChannelInputSchema>;

export const alertChannelIdSchema = z.strictObject({ id: z.uuid() });
export const alertChannelUpdateSchema = z.strictObject({ id: z.uuid(), channel: alertChannelInputSchema });

export const alertDeliveriesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  channelId: z.uuid().optional(),
});
