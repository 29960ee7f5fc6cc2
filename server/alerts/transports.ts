import nodemailer from 'nodemailer';
import { CodedError } from '@/lib/errors';
import { scrub, scrubForms } from '../operations/redact-secrets';
import type { StoredChannel } from './channel';
import type { PublishedAlert } from './events';
import { emailMessage, slackBody, webhookBody } from './payload';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature';

// Sending one alert to one channel, once. Every failure is an AlertDeliveryError whose message
// says what went wrong in words (refused sign-in, connection refused, HTTP 500) and never holds
// the channel's secret: the messages are composed here from codes, then scrubbed of the secret in
// every form it could be echoed back in, because the delivery log shows them.

export class AlertDeliveryError extends CodedError {
  static readonly brand: string = 'AlertDeliveryError';
}

/** How long one attempt may take: the queue sends one at a time. */
export const SEND_TIMEOUT_MS = 10_000;

export type Transport = (channel: StoredChannel, alert: PublishedAlert, opts: { publicUrl: string | undefined; now: Date }) => Promise<void>;

const causeCode = (err: unknown): string | undefined => {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code) && code !== 'ECONNECTION' && code !== 'ESOCKET') return code;
  }
  return undefined;
};

const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'unknown host name',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function networkError(where: string, err: unknown): AlertDeliveryError {
  if ((err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError') {
    return new AlertDeliveryError('ALERT_TIMEOUT', `${where}: no answer within ${SEND_TIMEOUT_MS / 1000} s.`);
  }
  const code = causeCode(err);
  return new AlertDeliveryError('ALERT_UNREACHABLE', `${where}: ${code ? (NETWORK_WORDS[code] ?? code) : 'the request failed'}.`);
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const where = `Webhook ${new URL(url).host}`;
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', 'user-agent': 'tale-console-alerts/1', ...headers }, redirect: 'manual', signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
  } catch (err) {
    throw networkError(where, err);
  }
  const text = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
  if (res.status >= 200 && res.status < 300) return;
  // A redirect is not followed: the body would go somewhere the admin did not configure.
  const said = res.status >= 300 && res.status < 400 ? 'a redirect (not followed)' : `HTTP ${res.status}`;
  throw new AlertDeliveryError('ALERT_REFUSED', `${where} answered ${said}${text ? `: ${text}` : ''}.`);
}

async function sendMail(channel: Extract<StoredChannel, { kind: 'email' }>, alert: PublishedAlert, publicUrl: string | undefined): Promise<void> {
  const c = channel.config;
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port,
    secure: c.security === 'tls',
    requireTLS: c.security === 'starttls',
    ignoreTLS: c.security === 'none',
    auth: c.user ? { user: c.user, pass: channel.secret ?? '' } : undefined,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
    logger: false,
  });
  const where = `SMTP ${c.host}:${c.port}`;
  try {
    const { subject, text } = emailMessage(alert, publicUrl);
    await transport.sendMail({ from: c.from, to: c.to, subject, text });
  } catch (err) {
    const e = err as { code?: string; response?: string; responseCode?: number };
    const response = typeof e.response === 'string' ? e.response.replace(/\s+/g, ' ').slice(0, 200) : '';
    if (e.code === 'EAUTH') throw new AlertDeliveryError('ALERT_SMTP_AUTH', `${where} refused the sign-in${c.user ? ` as ${c.user}` : ''}${response ? `: ${response}` : ''}. Check the user and password.`);
    if (e.code === 'EENVELOPE') throw new AlertDeliveryError('ALERT_REFUSED', `${where} refused the sender or a recipient${response ? `: ${response}` : ''}.`);
    if (e.code === 'ETLS') throw new AlertDeliveryError('ALERT_TLS', `${where}: TLS failed (${c.security === 'starttls' ? 'STARTTLS' : 'TLS'}); check the security setting and the server's certificate.`);
    if (typeof e.responseCode === 'number') throw new AlertDeliveryError('ALERT_REFUSED', `${where} answered ${response || e.responseCode}.`);
    throw networkError(where, err);
  } finally {
    transport.close();
  }
}

/** The secret texts a channel's errors are scrubbed of (the SMTP password, the Slack URL, the webhook secret). */
export function channelSecrets(channel: StoredChannel): string[] {
  return scrubForms(channel.secret ? [channel.secret] : []);
}

export const realTransport: Transport = async (channel, alert, { publicUrl, now }) => {
  try {
    switch (channel.kind) {
      case 'webhook': {
        const body = webhookBody(alert, publicUrl);
        const timestamp = Math.floor(now.getTime() / 1000);
        const headers: Record<string, string> = { 'x-tale-event': alert.kind, 'x-tale-delivery': alert.id, [TIMESTAMP_HEADER]: String(timestamp) };
        if (channel.secret) headers[SIGNATURE_HEADER] = sign(channel.secret, timestamp, body);
        return await post(channel.config.url, body, headers);
      }
      case 'slack':
        if (!channel.secret) throw new AlertDeliveryError('ALERT_CHANNEL_INCOMPLETE', 'The Slack channel has no webhook URL.');
        return await post(channel.secret, slackBody(alert, publicUrl), {});
      case 'email':
        return await sendMail(channel, alert, publicUrl);
    }
  } catch (err) {
    const secrets = channelSecrets(channel);
    if (err instanceof CodedError) throw new AlertDeliveryError(err.code, scrub(err.message, secrets));
    throw new AlertDeliveryError('ALERT_FAILED', scrub(`The delivery failed: ${(err as Error)?.message ?? String(err)}`, secrets));
  }
};
