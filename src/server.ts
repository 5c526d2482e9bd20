import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationStream, Logger } from 'pino';
import { CredentialService } from './ca/credential-service';
import { DomainService } from './ca/domain-service';
import { KeyPairGenerator } from './ca/generate-key-pair';
import type { OkmsdConfig } from './config';
import { buildControlPlaneApp } from './http/control/app';
import type { PublicEndpoints } from './http/control/presenters';
import type { ControlPlaneServices } from './http/control/services';
import { bootstrapRootAccount } from './iam/bootstrap';
import { IamService } from './iam/iam-service';
import { KeyHierarchy } from './kms/key-hierarchy';
import { loadMasterKey } from './kms/master-key';
import { createLogger } from './logger';
import { openEmbeddedStore } from './storage/embedded/embedded-store';
import type { Store } from './storage/ports';

export interface StartOptions {
  /** Where JSON logs go (stdout by default); tests capture them here. */
  readonly logStream?: DestinationStream;
  readonly clock?: () => Date;
  /** Receives the root token generated on first start; prints it to stdout by default. */
  readonly announceToken?: (token: string, file: string) => void;
}

export interface RunningOkmsd {
  readonly controlUrl: string;
  readonly port: number;
  readonly store: Store;
  readonly logger: Logger;
  readonly services: ControlPlaneServices;
  close(): Promise<void>;
}

const MASTER_KEY_CANARY = 'master-key-canary';

function openStore(config: OkmsdConfig): Store {
  if (config.store === 'embedded') return openEmbeddedStore(config.dataDir);
  throw new Error('OKMSD_STORE=mongodb is not available in this version yet; use the embedded store');
}

function printTokenOnce(token: string, file: string): void {
  process.stdout.write(
    `\nokmsd: generated the root admin token. It is shown only this once and saved to ${file} (mode 0600):\n\n    ${token}\n\n`,
  );
}

function publicEndpoints(config: OkmsdConfig, controlPort: number): PublicEndpoints {
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const host = config.gatewayHostnames[0] ?? (wildcard ? 'localhost' : config.host);
  const controlHost = wildcard ? 'localhost' : config.host;
  return {
    restEndpoint: `https://${host}:${config.gatewayPort}`,
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
  const store = openStore(config);
  try {
    const canary = await store.meta.putIfAbsent(MASTER_KEY_CANARY, keys.makeCanary());
    if (!keys.checkCanary(canary)) throw new Error('the master key does not match the one this data was written with');

    const boot = await bootstrapRootAccount(store, {
      rootAccount: config.rootAccount,
      configToken: config.adminToken,
      dataDir: config.dataDir,
      now: clock(),
    });
    if (boot.generatedToken && boot.tokenFile) (options.announceToken ?? printTokenOnce)(boot.generatedToken, boot.tokenFile);
  } catch (error) {
    await store.close();
    throw error;
  }

  let port = config.port;
  const domains = new DomainService({ store, keys, crypto: globalThis.crypto, clock, defaultRegion: config.defaultDomainRegion });
  const services: ControlPlaneServices = {
    store,
    domains,
    credentials: new CredentialService({
      store,
      domains,
      keyPairs: new KeyPairGenerator({ maxConcurrentRsa: config.maxConcurrentRsaKeygen, maxQueuedRsa: config.maxQueuedRsaKeygen }),
      clock,
      urnRegion: config.urnRegion,
    }),
    iam: new IamService({ store, clock, urnRegion: config.urnRegion }),
    urnRegion: config.urnRegion,
    clock,
    endpoints: () => publicEndpoints(config, port),
  };

  const server: Server = createServer(buildControlPlaneApp(services, logger));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  port = (server.address() as AddressInfo).port;
  const controlUrl = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ controlUrl, port, store: store.kind, dataDir: config.dataDir }, 'okmsd control plane listening');

  let closing: Promise<void> | undefined;
  return {
    controlUrl,
    port,
    store,
    logger,
    services,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await store.close();
        logger.info('okmsd stopped');
        logger.flush();
      })();
      return closing;
    },
  };
}
