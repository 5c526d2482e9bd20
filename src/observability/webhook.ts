import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';

export interface Webhook {
  readonly url: string;
  /** HMAC-SHA256 key: the receiver checks X-Okmsd-Signature = v1=hex(HMAC(key, `${X-Okmsd-Timestamp}.${body}`)). */
  readonly secret: string;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Signed JSON events to the operator's endpoint (expiry alerts, container rotations); three tries, then the log. */
export class WebhookNotifier {
  constructor(private readonly webhook: Webhook, private readonly logger: Logger, private readonly clock: () => Date) {}

  async deliver(payload: { readonly event: string }): Promise<boolean> {
    const body = JSON.stringify(payload);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const timestamp = String(Math.floor(this.clock().getTime() / 1000));
      try {
        const response = await fetch(this.webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-okmsd-event': payload.event, 'x-okmsd-timestamp': timestamp, 'x-okmsd-signature': signWebhook(this.webhook.secret, timestamp, body) },
          body,
          signal: AbortSignal.timeout(5000),
        });
        if (response.ok) return true;
        this.logger.warn({ event: payload.event, status: response.status, attempt }, 'webhook refused the event');
      } catch (error) {
        this.logger.warn({ event: payload.event, err: String(error), attempt }, 'webhook unreachable');
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
    this.logger.error({ event: payload.event }, 'webhook delivery failed after 3 tries');
    return false;
  }
}
