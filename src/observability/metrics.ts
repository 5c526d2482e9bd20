import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * okmsd's Prometheus metrics, one registry per process instance (several instances can share a test process).
 * Label values are closed sets (types, paths, outcomes, reasons): never ids, URNs or anything a caller chooses.
 */
/** Where the credential gauges are read at scrape time (the store's credential repository). */
export interface CredentialCounter {
  countByStatus(now: string): Promise<{ ready: number; expired: number; soonestExpiry: string | undefined }>;
}

export class Metrics {
  readonly registry = new Registry();
  readonly issued = new Counter({ name: 'okmsd_credentials_issued_total', help: 'Access credentials issued', labelNames: ['certificate_type', 'path'] as const, registers: [this.registry] });
  readonly issuanceSeconds = new Histogram({
    name: 'okmsd_credential_issuance_seconds', help: 'Time to issue an access credential (validation, key, signing, durable write)',
    labelNames: ['certificate_type', 'path'] as const, buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });
  readonly gatewayDecisions = new Counter({ name: 'okmsd_gateway_requests_total', help: 'Data-plane requests by decision and reason', labelNames: ['decision', 'reason'] as const, registers: [this.registry] });
  readonly gatewaySeconds = new Histogram({
    name: 'okmsd_gateway_request_seconds', help: 'Data-plane request time, certificate check to audit record',
    labelNames: ['decision'] as const, buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry],
  });
  readonly tlsRefusals = new Counter({ name: 'okmsd_gateway_client_certificate_refusals_total', help: 'Client certificates refused, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  readonly refusals = new Counter({
    name: 'okmsd_unauthenticated_refusals_total', help: 'Calls refused before their caller was known (never audited one by one: counted here, logged sampled)',
    labelNames: ['plane', 'reason'] as const, registers: [this.registry],
  });
  readonly rateLimited = new Counter({ name: 'okmsd_rate_limited_total', help: 'Calls answered 429 by a rate limit, by plane and scope', labelNames: ['plane', 'scope'] as const, registers: [this.registry] });
  private rsaReserveLevel: (() => { available: number; capacity: number }) | undefined;
  readonly rsaReserveGauge = (() => {
    const metrics = this;
    return new Gauge({
      name: 'okmsd_rsa_key_reserve', help: 'Pregenerated RSA key pairs ready to hand out (level="available") and the reserve\'s capacity', labelNames: ['level'] as const, registers: [this.registry],
      collect() {
        const now = metrics.rsaReserveLevel?.();
        if (!now) return;
        this.set({ level: 'available' }, now.available);
        this.set({ level: 'capacity' }, now.capacity);
      },
    });
  })();
  /** Bound label sets, per decision and reason: the data plane records one call per request. */
  private readonly gatewayCalls = new Map<string, (seconds: number) => void>();
  /** The RSA key reserve's level, read at scrape time. */
  watchRsaReserve(level: () => { available: number; capacity: number }): void {
    this.rsaReserveLevel = level;
  }
  readonly storeWriteSeconds = new Histogram({
    name: 'okmsd_store_write_seconds', help: 'Embedded store: group commit latency, from a batch of writes leaving to its durable commit (one observation per batch)', buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5], registers: [this.registry],
  });

  private readonly expiring = new Gauge({
    name: 'okmsd_expiring', help: 'Credentials and certificate secrets that expire within the alert thresholds (set by the lifecycle job)',
    labelNames: ['kind', 'within_days'] as const, registers: [this.registry],
  });
  private readonly soonestDays = new Gauge({
    name: 'okmsd_expiry_soonest_days', help: 'Days to the soonest expiry within the largest threshold, per kind (-1: none)', labelNames: ['kind'] as const, registers: [this.registry],
  });
  readonly lifecycleGauges = {
    setExpiring: (kind: string, withinDays: number, count: number) => this.expiring.set({ kind, within_days: String(withinDays) }, count),
    setSoonestDays: (kind: string, days: number) => this.soonestDays.set({ kind }, Math.round(days * 100) / 100),
  };

  refusal(plane: 'control' | 'gateway', reason: string): void {
    this.refusals.inc({ plane, reason });
  }

  /** One data-plane call: its decision, its reason (closed set) and its time. */
  gatewayCall(decision: 'allow' | 'deny', reason: string, seconds: number): void {
    let record = this.gatewayCalls.get(`${decision}/${reason}`);
    if (!record) {
      const counted = this.gatewayDecisions.labels({ decision, reason });
      const timed = this.gatewaySeconds.labels({ decision });
      const refused = reason.startsWith('cert_') || reason === 'wrong_domain' || reason === 'untrusted_proxy' ? this.tlsRefusals.labels({ reason }) : undefined;
      record = (s: number) => {
        counted.inc();
        timed.observe(s);
        refused?.inc();
      };
      this.gatewayCalls.set(`${decision}/${reason}`, record);
    }
    record(seconds);
  }

  private readonly credentialGauge = new Gauge({ name: 'okmsd_credentials', help: 'Access credentials by status', labelNames: ['status'] as const, registers: [this.registry] });
  private readonly soonestGauge = new Gauge({ name: 'okmsd_credential_soonest_expiry_days', help: 'Days until the next READY credential expires (-1: none)', registers: [this.registry] });

  constructor(private readonly clock: () => Date) {}

  /** The exposition text; the credential gauges are read from `credentials` now, so every node reports the same truth. */
  async render(credentials: CredentialCounter): Promise<string> {
    const now = this.clock().toISOString();
    const counts = await credentials.countByStatus(now);
    this.credentialGauge.set({ status: 'READY' }, counts.ready);
    this.credentialGauge.set({ status: 'EXPIRED' }, counts.expired);
    this.soonestGauge.set(counts.soonestExpiry ? (Date.parse(counts.soonestExpiry) - Date.parse(now)) / 86_400_000 : -1);
    return this.registry.metrics();
  }
}
