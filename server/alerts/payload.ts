import { describe, type PublishedAlert } from './events';

// What each kind of channel receives (docs/alerts.md#the-webhook-body). The webhook body is a
// versioned schema: fields are added, never renamed or removed, and `version` changes if ever one
// must be.

export const WEBHOOK_SCHEMA_VERSION = 1;

/** The link to the console page of what happened, absolute when PUBLIC_URL is known. */
function linkOf(alert: PublishedAlert, publicUrl: string | undefined): string | null {
  const path = 'path' in alert.data ? alert.data.path : null;
  if (!path) return null;
  return publicUrl ? new URL(path, publicUrl).toString() : path;
}

export function webhookBody(alert: PublishedAlert, publicUrl: string | undefined): string {
  const { title, text, severity } = describe(alert);
  return JSON.stringify({
    version: WEBHOOK_SCHEMA_VERSION,
    id: alert.id,
    event: alert.kind,
    occurredAt: alert.occurredAt,
    test: alert.test === true,
    severity,
    title,
    text,
    link: linkOf(alert, publicUrl),
    data: alert.data,
    // Added in the same version: null for the local environment and for host checks.
    environment: alert.environmentId && alert.environmentName ? { id: alert.environmentId, name: alert.environmentName } : null,
  });
}

/** Slack's incoming-webhook body (also understood by Mattermost, Rocket.Chat, Discord's /slack). */
export function slackBody(alert: PublishedAlert, publicUrl: string | undefined): string {
  const { title, text } = describe(alert);
  const link = linkOf(alert, publicUrl);
  const prefix = alert.test ? '[test] ' : '';
  const line = `${prefix}*${title}*\n${text}${link && link.startsWith('http') ? `\n<${link}|Open in Tale Console>` : ''}`;
  return JSON.stringify({ text: `${prefix}${title}: ${text}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: line } }] });
}

export function emailMessage(alert: PublishedAlert, publicUrl: string | undefined): { subject: string; text: string } {
  const { title, text } = describe(alert);
  const link = linkOf(alert, publicUrl);
  return {
    subject: `[Tale Console]${alert.test ? ' [test]' : ''} ${title}`,
    text: `${text}\n\n${link ? `${link}\n\n` : ''}Event: ${alert.kind}\nAt: ${alert.occurredAt}\nId: ${alert.id}\n`,
  };
}
