import { createHmac, timingSafeEqual } from 'node:crypto';

// The webhook's signature (docs/alerts.md#verifying-the-signature): HMAC-SHA256 with the channel's
// secret over `<timestamp>.<raw body>`, sent as `X-Tale-Signature: v1=<hex>` beside
// `X-Tale-Timestamp: <unix seconds>`. The timestamp is signed so a captured request cannot be
// replayed later: a receiver refuses one older than a few minutes.

export const SIGNATURE_HEADER = 'x-tale-signature';
export const TIMESTAMP_HEADER = 'x-tale-timestamp';

export function sign(secret: string, timestamp: number, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/** What a receiver does; the console's tests use it as the receiver. */
export function verify(secret: string, timestamp: string, rawBody: string, signature: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, Number(timestamp), rawBody));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
