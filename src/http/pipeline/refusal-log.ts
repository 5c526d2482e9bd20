import type { Logger } from 'pino';
import type { RequestLine } from '../request-log';

/**
 * Log lines for calls refused before their caller was known (no or bad credentials, unknown routes, rate limits):
 * at most `perSecond` a second, then one line saying how many were left out. Whoever can reach the port can cause
 * them, so they may cost neither disk nor CPU without bound; the metrics count every one.
 */
export class RefusalLog {
  private windowStart = 0;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Logger,
    private readonly nowMs: () => number,
    private readonly perSecond = 10,
  ) {}

  note(line: RequestLine): void {
    const now = this.nowMs();
    if (now - this.windowStart >= 1000) {
      if (this.suppressed > 0) this.logger.warn({ suppressed: this.suppressed, windowMs: now - this.windowStart }, 'refused requests left out of the log');
      this.windowStart = now;
      this.logged = 0;
      this.suppressed = 0;
    }
    if (this.logged < this.perSecond) {
      this.logged += 1;
      this.logger.info(line, 'request refused');
    } else this.suppressed += 1;
  }
}
