import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { blockListOf } from './domain/cidr';
import type { Express } from 'express';
import type { DestinationStream, Logger } from 'pino';
import { CredentialService } from './ca/credential-service';
import { DomainService } from './ca/domain-service';
import { KeyPairGenerator } from './ca/generate-key-pair';
import { gatewayTlsMaterial } from './ca/gateway-tls';
import { RevocationSet } from './ca/revocation-set';
import { AuditLog } from './audit/audit-log';
import { ClientAuthenticator } from './http/gateway/authenticate-client';
import { buildGatewayApp, gatewayAuthenticators, type GatewayApp } from './http/gateway/gateway-app';
import { Pipeline } from './http/pipeline/pipeline';
import { RateLimiter } from './http/pipeline/rate-limiter';
import { applyServerLimits } from './http/server-limits';
import { authenticateAdminToken } from './iam/admin-tokens';
import { dataPlaneRoutes } from './kms/data-plane-routes';
import { ServiceKeyService } from './kms/service-key-service';
import type { OkmsdConfig } from './config';
import { buildControlPlaneApp } from './http/control/app';
import type { PublicEndpoints } from './http/control/presenters';
import type { ControlPlaneServices } from './http/control/services';
import { bootstrapRootAccount } from './iam/bootstrap';
import { IamService } from './iam/iam-service';
import { KeyHierarchy } from './kms/key-hierarchy';
import { loadMasterKey } from './kms/master-key';
import { createLogger } from './logger';
import { Metrics } from './observability/metrics';
import { openEmbeddedStore } from './storage/embedded/embedded-store';
import { openMongoStore } from './storage/mongo/mongo-store';
import { wireBarbican } from './http/barbican/barbican-wiring';
import { LifecycleJobs } from './ca/lifecycle-jobs';
import { WebhookNotifier } from './observability/webhook';
import type { Store } from './storage/ports';

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
  /** The CA that signs the gateway's server certificate (a domain's restEndpointCA). */
  readonly gatewayCaPEM: string;
  readonly audit: AuditLog;
  /** Both planes' request handlers (tests compare their routes with the OpenAPI document). */
  readonly apps: { readonly control: Express; readonly gateway: GatewayApp };
  readonly store: Store;
  readonly logger: Logger;
  readonly services: ControlPlaneServices;
  /** Scheduled revocations of renewed credentials and expiry alerts (runs every OKMSD_LIFECYCLE_INTERVAL seconds). */
  readonly lifecycle: LifecycleJobs;
  close(): Promise<void>;
}

const MASTER_KEY_CANARY = 'master-key-canary';
/** TLS 1.2: forward-secret AEAD suites only (no CBC, no RSA key exchange). Session resumption stays on. */
export const GATEWAY_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

async function openStore(config: OkmsdConfig, onCommit: (seconds: number) => void): Promise<Store> {
  if (config.store === 'embedded') return openEmbeddedStore(config.dataDir, { onCommit, auditSyncMs: config.auditSyncMs });
  return openMongoStore(config.mongodbUri!);
}

function publicEndpoints(config: OkmsdConfig, controlPort: number, gatewayPort: number, gatewayCaPEM: string): PublicEndpoints {
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const host = config.gatewayHostnames[0] ?? (wildcard ? 'localhost' : config.host);
  const controlHost = wildcard ? 'localhost' : config.host;
  return {
    restEndpoint: `https://${host.includes(':') ? `[${host}]` : host}:${gatewayPort}`,
    restEndpointCA: gatewayCaPEM,
    kmipEndpoint: `${host}:5696`,
    swaggerEndpoint: `http://${controlHost}:${controlPort}/openapi.json`,
  };
}

/** The composition root: configuration in, a listening okmsd out. Nothing else wires services together. */
export async function startOkmsd(config: OkmsdConfig, options: StartOptions = {}): Promise<RunningOkmsd> {
  const logger = createLogger(config.logLevel, options.logStream);
  const clock = options.clock ?? (() => new Date());
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const master = loadMasterKey(config.masterKey, config.dataDir);
  if (master.source !== 'config') {
    logger.warn({ file: master.file }, 'master key kept in the data dir: set OKMSD_MASTER_KEY (or an external KMS) in production');
  }
  const keys = new KeyHierarchy(master.key);
  let metrics: Metrics | undefined;
  const store = await openStore(config, (seconds) => metrics?.storeWriteSeconds.observe(seconds));
  metrics = new Metrics(store, clock);
  try {
    const canary = await store.meta.putIfAbsent(MASTER_KEY_CANARY, keys.makeCanary());
    if (!keys.checkCanary(canary)) throw new Error('the master key does not match the one this data was written with');

    const boot = await bootstrapRootAccount(store, {
      rootAccount: config.rootAccount,
      configToken: config.adminToken,
      dataDir: config.dataDir,
      now: clock(),
    });
    // The token itself goes to its file only: stdout ends up in journald and docker logs.
    if (boot.tokenFile) logger.warn({ file: boot.tokenFile }, 'generated the root admin token into its file (mode 0600); set OKMSD_ADMIN_TOKEN or create tokens with `okmsd token create`');
    if (boot.revokedGenerated) logger.warn({ revoked: boot.revokedGenerated }, 'OKMSD_ADMIN_TOKEN replaces the root token generated on first start: that token is revoked and its file removed');
  } catch (error) {
    await store.close();
    throw error;
  }

  let port = config.port;
  let gatewayPort = config.gatewayPort;
  const tls = await gatewayTlsMaterial(store, keys, config.gatewayHostnames, clock());
  const revocations = new RevocationSet(store);
  await revocations.start();
  const audit = new AuditLog(store, keys.macKey('audit-checkpoint'));
  const routes = dataPlaneRoutes(new ServiceKeyService({ store, keys, clock }));
  const domains = new DomainService({ store, keys, crypto: globalThis.crypto, clock, defaultRegion: config.defaultDomainRegion });
  const iam = new IamService({ store, clock, urnRegion: config.urnRegion });
  const notifier = config.webhook ? new WebhookNotifier(config.webhook, logger) : undefined;
  const barbican = wireBarbican({
    store, keys, domains, iam, clock, urnRegion: config.urnRegion, rootAccount: config.rootAccount,
    baseUrl: () => new URL(publicEndpoints(config, port, gatewayPort, tls.caCertificatePEM).swaggerEndpoint).origin,
    gatewayBaseUrl: () => new URL(publicEndpoints(config, port, gatewayPort, tls.caCertificatePEM).restEndpoint).origin,
    tokenTtlSeconds: config.keystoneTokenTtlSeconds, orderKey: config.orderKey, orderCertificateDays: 365, ...(notifier ? { notifier } : {}),
  });
  const services: ControlPlaneServices = {
    store,
    domains,
    credentials: new CredentialService({
      store,
      domains,
      keyPairs: new KeyPairGenerator({ maxConcurrentRsa: config.maxConcurrentRsaKeygen, maxQueuedRsa: config.maxQueuedRsaKeygen }),
      clock,
      urnRegion: config.urnRegion,
      onRevoked: (domainId, serial) => revocations.add(domainId, serial),
      renewal: { defaultOverlapSeconds: config.renewOverlapSeconds, graceDays: config.renewGraceDays },
      bindIdentities: (accountId, urns, field) => iam.bindIdentities(accountId, urns, field),
      onIssued: (certificateType, fromCSR, seconds) => {
        const labels = { certificate_type: certificateType, path: fromCSR ? 'csr' : 'server_key' };
        metrics!.issued.inc(labels);
        metrics!.issuanceSeconds.observe(labels, seconds);
      },
    }),
    iam,
    barbican,
    urnRegion: config.urnRegion,
    clock,
    endpoints: () => publicEndpoints(config, port, gatewayPort, tls.caCertificatePEM),
    audit,
    gatewayRoutes: [...routes, ...barbican.gatewayRoutes],
    metrics,
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
  // Timeouts are checked every second (Node's default is 30 s, which would stretch a 10 s header timeout to 40).
  const connectionsCheckingInterval = Math.min(1000, config.serverLimits.headersTimeoutMs);
  const server: Server = createServer({ connectionsCheckingInterval }, controlApp);
  server.keepAliveTimeout = 5_000;
  const gatewayPipeline = new Pipeline({
    ...pipelineDeps, plane: 'gateway', auditReads: true,
    authenticators: gatewayAuthenticators({
      authenticator: new ClientAuthenticator(store, revocations, clock),
      iam,
      ...(config.trustedProxies.length ? { proxy: { trusted: blockListOf(config.trustedProxies), header: config.clientCertHeader } } : {}),
    }),
  });
  const gatewayApp = buildGatewayApp(gatewayPipeline, [...routes, ...barbican.gatewayRoutes], logger);
  // requestCert without rejectUnauthorized: the handshake still proves the client holds its key, and the
  // chain is judged per request against the CA of the domain in the path (unknown during the handshake).
  const gateway = createHttpsServer(
    {
      key: tls.privateKeyPEM,
      cert: tls.certificatePEM,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      ciphers: GATEWAY_TLS12_CIPHERS, // TLS 1.3 suites are all AEAD and stay at Node's defaults
      honorCipherOrder: true,
      handshakeTimeout: config.serverLimits.tlsHandshakeTimeoutMs,
      connectionsCheckingInterval,
    },
    gatewayApp.listener,
  );
  gateway.keepAliveTimeout = 30_000;
  applyServerLimits(server, config.serverLimits, logger);
  applyServerLimits(gateway, config.serverLimits, logger);
  const listen = (target: Server, listenPort: number) =>
    new Promise<number>((resolve, reject) => {
      target.once('error', reject);
      target.listen(listenPort, config.host, () => resolve((target.address() as AddressInfo).port));
    });
  try {
    port = await listen(server, config.port);
    gatewayPort = await listen(gateway, config.gatewayPort);
  } catch (error) {
    server.close();
    revocations.stop();
    await store.close();
    throw error;
  }
  const lifecycle = new LifecycleJobs({
    store, credentials: services.credentials, clock, logger, thresholdsDays: config.expiryThresholdsDays, gauges: metrics.lifecycleGauges,
    purgeTokens: (now) => barbican.purgeExpiredTokens(now),
    ...(notifier ? { notifier } : {}),
  });
  if (config.lifecycleIntervalSeconds > 0) lifecycle.start(config.lifecycleIntervalSeconds * 1000);
  const hostPart = config.host.includes(':') ? `[${config.host}]` : config.host;
  const controlUrl = `http://${hostPart}:${port}`;
  const gatewayUrl = `https://${hostPart}:${gatewayPort}`;
  logger.info({ controlUrl, port, gatewayUrl, gatewayPort, store: store.kind, dataDir: config.dataDir }, 'okmsd listening');

  let closing: Promise<void> | undefined;
  return {
    controlUrl,
    port,
    gatewayUrl,
    gatewayPort,
    gatewayCaPEM: tls.caCertificatePEM,
    audit,
    apps: { control: controlApp, gateway: gatewayApp },
    store,
    logger,
    services,
    lifecycle,
    close() {
      closing ??= (async () => {
        const stop = (target: Server) =>
          new Promise<void>((resolve) => {
            target.close(() => resolve());
            target.closeIdleConnections();
          });
        await Promise.all([stop(server), stop(gateway)]);
        await lifecycle.stop();
        revocations.stop();
        await store.close();
        logger.info('okmsd stopped');
        logger.flush();
      })();
      return closing;
    },
  };
}
