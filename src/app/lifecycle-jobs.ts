import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { OkmsError } from '../domain/errors';
import type { Store } from '../storage/store';
import type { WebhookNotifier } from '../observability/webhook';
import { containersHolding } from '../secrets/container-service';
import type { CredentialService } from '../ca/credential-service';

export interface ExpiryAlert {
  readonly event: 'okmsd.expiry';
  readonly kind: 'credential' | 'certificateSecret';
  readonly id: string;
  readonly name: string | null;
  readonly domainId: string;
  readonly notAfter: string;
  readonly daysLeft: number;
  readonly thresholdDays: number;
  /** For a certificate secret: the containers holding it and their consumers (who must be told). */
  readonly containers?: ReadonlyArray<{ id: string; name: string | null; consumers: ReadonlyArray<{ name: string; URL: string }> }>;
}

export interface LifecycleGauges {
  setExpiring(kind: ExpiryAlert['kind'], withinDays: number, count: number): void;
  setSoonestDays(kind: ExpiryAlert['kind'], days: number): void;
}

const DAY = 86_400_000;
const BATCH = 1000;

/**
 * The background work of the certificate lifecycle, run every interval on every node (each step is safe to race):
 * 1. renewed credentials whose overlap ended are revoked;
 * 2. access credentials and certificate secrets expiring within the thresholds (default 60, 30, 7 days) raise one
 *    alert per threshold — a log event and a signed webhook — claimed through the store so that a cluster sends it
 *    once; and the gauges of what expires soon are set.
 */
export class LifecycleJobs {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly node = randomUUID();

  constructor(
    private readonly deps: {
      store: Store;
      credentials: CredentialService;
      clock: () => Date;
      logger: Logger;
      thresholdsDays: readonly number[];
      notifier?: WebhookNotifier;
      /** Forgets expired Keystone tokens (src/secrets/keystone-tokens.ts). */
      purgeTokens?: (now: Date) => Promise<number>;
      gauges?: LifecycleGauges;
    },
  ) {}

  start(intervalMs: number): void {
    const tick = () => {
      this.running ??= this.runOnce()
        .catch((error: unknown) => this.deps.logger.error({ err: String(error) }, 'lifecycle run failed'))
        .finally(() => (this.running = undefined));
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    setImmediate(tick);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<{ revoked: string[]; alerts: ExpiryAlert[]; purgedTokens: number }> {
    const revoked = await this.revokeDue();
    const alerts = await this.checkExpiry();
    const purgedTokens = (await this.deps.purgeTokens?.(this.deps.clock())) ?? 0;
    return { revoked, alerts, purgedTokens };
  }

  private async revokeDue(): Promise<string[]> {
    const { store, credentials, clock } = this.deps;
    const revoked: string[] = [];
    for (const due of await store.credentials.listDueRevocations(clock().toISOString(), BATCH)) {
      const domain = await store.domains.get(due.domainId);
      if (!domain) continue;
      try {
        await credentials.revoke(domain, due.id, 'superseded');
        revoked.push(due.id);
        this.deps.logger.info({ event: 'renewal.revoked', credentialId: due.id, successorId: due.successorId, domainId: due.domainId }, 'renewed credential revoked at the end of its overlap');
      } catch (error) {
        if (!(error instanceof OkmsError && error.code === 'ERR_NOT_FOUND')) throw error; // another node was first
      }
    }
    return revoked;
  }

  private async checkExpiry(): Promise<ExpiryAlert[]> {
    const { store, clock } = this.deps;
    const now = clock();
    const thresholds = [...this.deps.thresholdsDays].sort((a, b) => a - b);
    const horizon = new Date(now.getTime() + thresholds[thresholds.length - 1]! * DAY).toISOString();
    const credentials = await store.credentials.listExpiring(now.toISOString(), horizon, BATCH);
    const secrets = await store.objects.listExpiring('secret', now.toISOString(), horizon);
    const items = [
      ...credentials.map((c) => ({ kind: 'credential' as const, id: c.id, name: c.name, domainId: c.domainId, notAfter: c.expiredAt })),
      ...secrets.map((s) => ({ kind: 'certificateSecret' as const, id: s.id, name: s.name, domainId: s.domainId, notAfter: s.notAfter! })),
    ];
    for (const kind of ['credential', 'certificateSecret'] as const) {
      const ofKind = items.filter((i) => i.kind === kind);
      for (const days of thresholds) this.deps.gauges?.setExpiring(kind, days, ofKind.filter((i) => Date.parse(i.notAfter) - now.getTime() <= days * DAY).length);
      const soonest = ofKind[0];
      this.deps.gauges?.setSoonestDays(kind, soonest ? (Date.parse(soonest.notAfter) - now.getTime()) / DAY : -1);
    }
    const alerts: ExpiryAlert[] = [];
    for (const item of items) {
      const daysLeft = (Date.parse(item.notAfter) - now.getTime()) / DAY;
      const crossed = thresholds.filter((t) => daysLeft <= t);
      // Every crossed threshold is claimed; the alert names the tightest one newly claimed (a credential issued
      // for 5 days raises one 7-day alert, not three).
      let newest: number | undefined;
      for (const threshold of crossed.reverse()) {
        const key = `expiry-alert/${item.kind}/${item.id}/${item.notAfter}/${threshold}`;
        const claim = `${this.node}/${randomUUID()}`; // unique per attempt: a claim is won once, by one attempt
        if ((await store.meta.putIfAbsent(key, claim)) === claim) newest = threshold;
      }
      if (newest === undefined) continue;
      const alert: ExpiryAlert = {
        event: 'okmsd.expiry', ...item, daysLeft: Math.round(daysLeft * 10) / 10, thresholdDays: newest,
        ...(item.kind === 'certificateSecret' ? { containers: await containersHolding(store, item.domainId, item.id) } : {}),
      };
      alerts.push(alert);
      this.deps.logger.warn(alert, `${item.kind} ${item.name ?? item.id} expires in ${alert.daysLeft} days`);
      await this.deps.notifier?.deliver(alert);
    }
    return alerts;
  }
}
