import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signature: HMAC-SHA256 over `<unix seconds>.<body>` (the Stripe/Slack scheme), so a
 * receiver can check both origin and freshness. Sent as `x-vigil-timestamp` and
 * `x-vigil-signature: sha256=<hex>`.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifyWebhook(
  secret: string,
  timestamp: number,
  body: string,
  signature: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
