import type { DomainRecord } from '../domain/types';
import { blockListOf } from '../domain/cidr';
import type { DestinationStream, Logger } from 'pino';
import { CredentialService } from '../ca/credential-service';
import { DomainService } from '../ca/domain-service';
import { CsrVerifyWorkers } from '../ca/csr-verify-workers';
import { KeyPairGenerator } from '../ca/generate-key-pair';
import { gatewayTlsMaterial } from '../ca/gateway-tls';
import { RevocationSet } from '../ca/revocation-set';
import { AuditLog } from '../audit/audit-log';
import { ClientAuthenticator } from '../http/gateway/authenticate-client';
import { buildGatewayApp, gatewayAuthenticators, type GatewayApp } from '../http/gateway/gateway-app';
import { Pipeline } from '../http/pipeline/pipeline';
import { RateLimiter } from '../http/pipeline/rate-limiter';
import { createControlServer, createGatewayServer, listen, stopListening } from '../http/listeners';
import { authenticateAdminToken } from '../iam/admin-tokens';
import { dataPlaneRoutes } from '../http/data-plane/data-plane-routes';
import { ServiceKeyService } from '../kms/service-key-service';
import type { OkmsdConfig } from './config';
import { buildControlPlaneApp, type ControlPlaneApp } from '../http/control/app';
import { bracketed, publicEndpoints, revocationUrls, serverRevocationUrls } from './public-endpoints';
import { domainCas } from '../ca/domain-cas';
import { TokenAuthenticator } from '../http/gateway/authenticate-token';
import { SecretManager } from '../secrets/secret-manager';
import { createKmipServer } from '../http/kmip/kmip-listener';
import { KmipObjects } from '../kmip/kmip-objects';
import { KmipService } from '../kmip/kmip-service';
import { CrlPublisher } from '../ca/crl-publisher';
import { OcspResponder } from '../ca/ocsp-responder';
import { ServerCaService } from '../ca/server-ca';
import { CaRotation } from '../ca/ca-rotation';
import { generationId } from '../ca/ca-generation';
import type { ControlPlaneServices } from '../http/control/services';
import { IamService } from '../iam/iam-service';
import { openData } from './open-data';
import { createLogger } from './logger';
import { Metrics } from '../observability/metrics';
import { wireBarbican } from './barbican-wiring';
import { LifecycleJobs } from './lifecycle-jobs';
import { WebhookNotifier } from '../observability/webhook';
import type { Store } from '../storage/store';

/** EC CSR checks waiting or running at once: each holds its CSR's bytes (~1 KiB; the schema caps a CSR at 32 KiB, so 32 MiB at worst); beyond it a creation gets 429. */
const MAX_CSR_CHECKS_IN_FLIGHT = 1024;

export interface StartOptions {
  /** Where JSON logs go (stdout by default); tests capture them here. */
  readonly logStream?: DestinationStream;
  readonly clock?: () => Date;
}

export interface RunningOkmsd {
  readonly controlUrl: string;
  readonly port: number;
  /** https origin of the mTLS data plane (a domain's restEndpoint). */
  readonly gatewayUrl: string;
  readonly gatewayPort: number;
  /** The KMIP listener's port (undefined with OKMSD_KMIP_PORT=off). */
  readonly kmipPort: number | undefined;
  /** The CA that signs the gateway's server certificate (a domain's restEndpointCA). */
  readonly gatewayCaPEM: string;
  readonly audit: AuditLog;
  /** Both planes' request handlers (tests compare their routes with the OpenAPI document). */
  readonly apps: { readonly control: ControlPlaneApp; readonly gateway: GatewayApp };
  readonly store: Store;
  readonly logger: Logger;
  readonly services: ControlPlaneServices;
  /** Scheduled revocations of renewed credentials and expiry alerts (runs every OKMSD_LIFECYCLE_INTERVAL seconds). */
  readonly lifecycle: LifecycleJobs;
  close(): Promise<void>;
}

/** The composition root: configuration in, a listening okmsd out. Nothing else wires services together. */
export async function startOkmsd(config: OkmsdConfig, options: StartOptions = {}): Promise<RunningOkmsd> {
  const logger = createLogger(config.logLevel, options.logStream);
  const clock = options.clock ?? (() => new Date());
  const metrics = new Metrics(clock);
  const { store, keys } = await openData(config, { logger, clock, onCommit: (seconds) => metrics.storeWriteSeconds.observe(seconds) });

  let port = config.port;
  let gatewayPort = config.gatewayPort;
  let kmipPort: number | undefined;
  const tls = await gatewayTlsMaterial(store, keys, config.gatewayHostnames, clock());
  const revocations = new RevocationSet(store);
  await revocations.start();
  const audit = new AuditLog(store, keys.macKey('audit-checkpoint'));
  const serviceKeys = new ServiceKeyService({ store, keys, clock });
  const secretManager = new SecretManager({ store, keys, clock });
  const routes = dataPlaneRoutes(serviceKeys, secretManager);
  const clientAuthenticator = new ClientAuthenticator(store, revocations, clock);
  const domains = new DomainService({ store, keys, crypto: globalThis.crypto, clock, defaultRegion: config.defaultDomainRegion });
  const iam = new IamService({ store, clock, urnRegion: config.urnRegion });
  const notifier = config.webhook ? new WebhookNotifier(config.webhook, logger, clock) : undefined;
  const serverCas = new ServerCaService({ store, keys, crypto: globalThis.crypto, clock, revocationUrls: (domainId, caId) => serverRevocationUrls(config, port, domainId, caId) });
  const casOf = (domain: DomainRecord) => domainCas(domain, clock(), { domains, serverCas });
  const crls = new CrlPublisher({
    store, clock, issuers: casOf, domain: (id) => store.domains.get(id),
    onBuilt: (domainId, entries, seconds, bytes) => logger.info({ domainId, entries, seconds, bytes }, 'CRL published'),
    onError: (domainId, error) => logger.error({ domainId, err: String(error) }, 'CRL build failed (retried on the next revocation or request)'),
  });

  const barbican = wireBarbican({
    store, keys, domains, serverCas, iam, clock, urnRegion: config.urnRegion, rootAccount: config.rootAccount,
    baseUrl: () => new URL(publicEndpoints(config, port, gatewayPort, tls.caCertificatePEM).swaggerEndpoint).origin,
    gatewayBaseUrl: () => new URL(publicEndpoints(config, port, gatewayPort, tls.caCertificatePEM).restEndpoint).origin,
    tokenTtlSeconds: config.keystoneTokenTtlSeconds, orderKey: config.orderKey, orderCertificateDays: 365, ...(notifier ? { notifier } : {}),
  });
  const keyPairs = new KeyPairGenerator({ rsaThreads: config.maxConcurrentRsaKeygen, maxQueuedRsa: config.maxQueuedRsaKeygen, rsaReserve: config.rsaKeyReserve });
  metrics.watchRsaReserve(() => keyPairs.rsaReserveLevel());
  const csrVerifier = new CsrVerifyWorkers({ threads: config.csrVerifyThreads, maxInFlight: MAX_CSR_CHECKS_IN_FLIGHT });
  const services: ControlPlaneServices = {
    store,
    domains,
    credentials: new CredentialService({
      store,
      domains,
      keyPairs,
      csrVerifier,
      clock,
      urnRegion: config.urnRegion,
      onRevoked: (domainId, serial) => {
        revocations.add(domainId, serial);
        crls.schedule(domainId); // relying parties learn of it from the next CRL (OCSP answers live)
      },
      revocationUrls: (domain) => revocationUrls(config, port, domain.id, generationId(domain)),
      renewal: { defaultOverlapSeconds: config.renewOverlapSeconds, graceDays: config.renewGraceDays },
      bindIdentities: (accountId, urns, field) => iam.bindIdentities(accountId, urns, field),
      onIssued: (certificateType, fromCSR, seconds) => {
        const labels = { certificate_type: certificateType, path: fromCSR ? 'csr' : 'server_key' };
        metrics.issued.inc(labels);
        metrics.issuanceSeconds.observe(labels, seconds);
      },
    }),
    iam,
    barbican,
    urnRegion: config.urnRegion,
    clock,
    endpoints: () => publicEndpoints(config, port, gatewayPort, tls.caCertificatePEM, kmipPort),
    audit,
    gatewayRoutes: [...routes, ...barbican.gatewayRoutes],
    metrics,
    crls,
    ocsp: new OcspResponder({ store, clock, serverCertificateIssued: async (domainId, serial) => (await serverCas.issued(domainId, serial)) !== undefined }),
    domainCas: casOf,
    async revokeServerCertificate(domainId, serial, reason) {
      const revocation = await serverCas.revoke(domainId, serial, reason);
      revocations.add(domainId, serial);
      crls.schedule(domainId);
      return revocation;
    },
    serverCas,
    caRotation: new CaRotation({ store, keys, crypto: globalThis.crypto, clock }),
  };

  const nowMs = () => clock().getTime();
  // One set of limits per process, shared by both planes: a source that fails on one is slowed on the other.
  const limits = {
    unauthenticated: new RateLimiter(config.rateLimits.unauthenticatedPerSource, nowMs),
    perCaller: new RateLimiter(config.rateLimits.perCaller, nowMs),
  };
  const pipelineDeps = { iam, audit, urnRegion: config.urnRegion, clock, logger, metrics, limits };
  const controlPipeline = new Pipeline({
    ...pipelineDeps, plane: 'control', auditReads: false,
    authenticators: { admin: (req) => authenticateAdminToken(store, req.get('authorization'), clock()), barbican: barbican.authenticate },
  });
  const controlApp = buildControlPlaneApp(services, controlPipeline);
  const server = createControlServer(controlApp.express, config.serverLimits, logger, nowMs);
  const gatewayPipeline = new Pipeline({
    ...pipelineDeps, plane: 'gateway', auditReads: true,
    authenticators: gatewayAuthenticators({
      authenticator: clientAuthenticator,
      tokens: new TokenAuthenticator({ store, iam, clock }),
      iam,
      ...(config.trustedProxies.length ? { proxy: { trusted: blockListOf(config.trustedProxies), header: config.clientCertHeader } } : {}),
    }),
  });
  const gatewayApp = buildGatewayApp(gatewayPipeline, [...routes, ...barbican.gatewayRoutes], logger);
  const gateway = createGatewayServer(tls, gatewayApp.listener, config.serverLimits, logger, nowMs);
  const servesControl = config.plane !== 'gateway';
  const servesGateway = config.plane !== 'control';
  const kmip = config.kmipPort === null || !servesGateway ? undefined : createKmipServer({
    tls, authenticator: clientAuthenticator, iam, logger,
    kmip: new KmipService({ objects: new KmipObjects({ keys: serviceKeys, secrets: secretManager }), iam, audit, urnRegion: config.urnRegion, clock }),
  });
  try {
    // A process of one plane leaves the other's listener unopened; the ports it advertises are then the configured ones.
    if (servesControl) port = await listen(server, config.port, config.host);
    if (servesGateway) gatewayPort = await listen(gateway, config.gatewayPort, config.host);
    if (kmip) kmipPort = await listen(kmip.server, config.kmipPort!, config.host);
  } catch (error) {
    server.close();
    gateway.close();
    void kmip?.close();
    void keyPairs.close();
    void csrVerifier.close();
    revocations.stop();
    await store.close();
    throw error;
  }
  const lifecycle = new LifecycleJobs({
    store, credentials: services.credentials, clock, logger, thresholdsDays: config.expiryThresholdsDays, gauges: metrics.lifecycleGauges,
    purgeTokens: (now) => barbican.purgeExpiredTokens(now),
    ...(notifier ? { notifier } : {}),
  });
  // Scheduled revocations and expiry alerts run where the control plane runs (one plane of several processes, not each).
  if (config.lifecycleIntervalSeconds > 0 && servesControl) lifecycle.start(config.lifecycleIntervalSeconds * 1000);
  const hostPart = bracketed(config.host);
  const controlUrl = `http://${hostPart}:${port}`;
  const gatewayUrl = `https://${hostPart}:${gatewayPort}`;
  logger.info({ plane: config.plane, pid: process.pid, controlUrl, port, gatewayUrl, gatewayPort, kmipPort: kmipPort ?? null, store: store.kind, dataDir: config.dataDir }, 'okmsd listening');

  let closing: Promise<void> | undefined;
  return {
    controlUrl,
    port,
    gatewayUrl,
    gatewayPort,
    kmipPort,
    gatewayCaPEM: tls.caCertificatePEM,
    audit,
    apps: { control: controlApp, gateway: gatewayApp },
    store,
    logger,
    services,
    lifecycle,
    close() {
      closing ??= (async () => {
        await Promise.all([servesControl ? stopListening(server) : undefined, servesGateway ? stopListening(gateway) : undefined, kmip?.close()]);
        await lifecycle.stop();
        await Promise.all([keyPairs.close(), csrVerifier.close()]);
        revocations.stop();
        await store.close();
        logger.info('okmsd stopped');
        logger.flush();
      })();
      return closing;
    },
  };
}
