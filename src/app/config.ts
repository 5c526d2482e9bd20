import type { ServerLimits } from '../http/server-limits';
import { parseCidr } from '../domain/cidr';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { isValidAccountId } from '../domain/urn';

export type StoreKind = 'embedded' | 'mongodb';

export interface OkmsdConfig {
  readonly dataDir: string;
  readonly host: string;
  /** Control plane port; 0 picks a free one (the bound port is logged). */
  readonly port: number;
  readonly gatewayPort: number;
  /**
   * Which planes this process serves (OKMSD_PLANE or `okmsd serve --plane`): `all` (default), `control` (the control
   * plane and the lifecycle jobs), or `gateway` (the mTLS data plane and KMIP). Processes of each share one store.
   */
  readonly plane: 'all' | 'control' | 'gateway';
  /** Gateway processes sharing the gateway and KMIP ports (node:cluster); above 1 only with plane `gateway`. */
  readonly gatewayWorkers: number;
  /** The KMIP port (OKMSD_KMIP_PORT, default 5696, 0: a free one); null with OKMSD_KMIP_PORT=off. */
  readonly kmipPort: number | null;
  readonly gatewayHostnames: readonly string[];
  readonly adminToken: string | undefined;
  /** 32 bytes, or undefined to use (or create) `$dataDir/master.key`. */
  readonly masterKey: Buffer | undefined;
  readonly store: StoreKind;
  readonly mongodbUri: string | undefined;
  /** The region part of every URN (`urn:v1:{urnRegion}:…`). */
  readonly urnRegion: string;
  /** The region given to new domains unless the request names one. */
  readonly defaultDomainRegion: string;
  readonly rootAccount: string;
  readonly logLevel: string;
  readonly maxConcurrentRsaKeygen: number;
  readonly maxQueuedRsaKeygen: number;
  /** Worker threads checking EC CSRs' proof of possession (key import and signature), off the event loop. */
  readonly csrVerifyThreads: number;
  /** Pregenerated RSA key pairs kept in memory once the first RSA key is asked for (0: none). */
  readonly rsaKeyReserve: number;
  /** Lifetime of a Keystone-compatible token (Barbican API). */
  readonly keystoneTokenTtlSeconds: number;
  /** The key a certificate order without a CSR or stored key gets (Barbican's client sends no algorithm for them). */
  readonly orderKey: { readonly type: 'rsa' | 'ec'; readonly bits: number };
  /** Renewal: default overlap of old and new credential, and how long after expiry renewal is still allowed. */
  readonly renewOverlapSeconds: number;
  /** Expiry alerts: thresholds in days, the optional signed webhook, and how often the lifecycle job runs (0: never). */
  readonly expiryThresholdsDays: readonly number[];
  /** Where signed events go: expiry alerts and container rotations. */
  readonly webhook: { readonly url: string; readonly secret: string } | undefined;
  /** The plain-HTTP origin relying parties reach /pki/… at (CRL, OCSP, CA certificate); the control plane's by default. */
  readonly pkiUrl: string | undefined;
  readonly lifecycleIntervalSeconds: number;
  readonly renewGraceDays: number;
  /**
   * Embedded store: how long the audit record of a call that changed nothing may wait for fsync after the reply
   * (it is in the WAL, safe from a crash of the process, before). 0: every record is synced before its reply.
   */
  readonly auditSyncMs: number;
  /** Proxy mode: CIDRs of TLS-terminating proxies allowed to forward client certificates (empty: off). */
  readonly trustedProxies: readonly string[];
  readonly clientCertHeader: string;
  /** Token buckets (README "Limits"): failed authentications per source address, and calls per authenticated caller. */
  readonly rateLimits: {
    readonly unauthenticatedPerSource: { readonly perSecond: number; readonly burst: number };
    readonly perCaller: { readonly perSecond: number; readonly burst: number };
  };
  /** Server limits of both planes. */
  readonly serverLimits: ServerLimits;
}

export class ConfigError extends Error {
  constructor(variable: string, reason: string) {
    super(`configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function plane(env: Env): 'all' | 'control' | 'gateway' {
  const raw = env.OKMSD_PLANE || 'all';
  if (raw !== 'all' && raw !== 'control' && raw !== 'gateway') throw new ConfigError('OKMSD_PLANE', `must be all, control or gateway, got "${raw.slice(0, 32)}"`);
  return raw;
}

function gatewayWorkers(env: Env): number {
  const workers = positiveInt(env, 'OKMSD_GATEWAY_WORKERS', 1);
  if (workers > 1024) throw new ConfigError('OKMSD_GATEWAY_WORKERS', `must be at most 1024, got ${workers}`);
  // The control plane runs the lifecycle jobs and is served once; only gateways are multiplied.
  if (workers > 1 && plane(env) !== 'gateway') throw new ConfigError('OKMSD_GATEWAY_WORKERS', 'more than one worker needs OKMSD_PLANE=gateway (serve --plane gateway)');
  return workers;
}

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new ConfigError(name, `must be a port number 0-65535, got "${raw}"`);
  return Number(raw);
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d{0,5}$/.test(raw)) throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  return Number(raw);
}

function auditSyncMs(env: Env): number {
  const value = nonNegativeInt(env, 'OKMSD_AUDIT_SYNC_MS', 100);
  if (value > 5000) throw new ConfigError('OKMSD_AUDIT_SYNC_MS', `must be at most 5000 (ms), got "${value}"`);
  return value;
}

function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,7}$/.test(raw)) throw new ConfigError(name, `must be a whole number >= 0, got "${raw}"`);
  return Number(raw);
}

function thresholds(env: Env): number[] {
  const raw = env.OKMSD_EXPIRY_THRESHOLDS_DAYS || '60,30,7';
  const days = raw.split(',').map((d) => d.trim());
  if (days.some((d) => !/^[1-9]\d{0,3}$/.test(d))) throw new ConfigError('OKMSD_EXPIRY_THRESHOLDS_DAYS', `must be whole days separated by commas (e.g. 60,30,7), got "${raw}"`);
  return [...new Set(days.map(Number))];
}

function webhook(env: Env): { url: string; secret: string } | undefined {
  const url = env.OKMSD_WEBHOOK_URL;
  if (!url) return undefined;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw new ConfigError('OKMSD_WEBHOOK_URL', 'must be an http(s) URL');
  const secret = env.OKMSD_WEBHOOK_SECRET ?? '';
  if (secret.length < 16) throw new ConfigError('OKMSD_WEBHOOK_SECRET', 'is required with OKMSD_WEBHOOK_URL: at least 16 characters (the HMAC key of X-Okmsd-Signature)');
  return { url, secret };
}

function pkiUrl(env: Env): string | undefined {
  const url = env.OKMSD_PKI_URL;
  if (!url) return undefined;
  // http, not https: a relying party must be able to check revocation without first trusting a TLS server.
  if (!/^http:\/\/[A-Za-z0-9.[\]:-]+(:\d{1,5})?$/.test(url)) throw new ConfigError('OKMSD_PKI_URL', 'must be a plain http:// origin without a path (e.g. http://pki.example.com:8080)');
  return url;
}

function masterKey(env: Env): Buffer | undefined {
  const raw = env.OKMSD_MASTER_KEY;
  if (raw === undefined || raw === '') return undefined;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || key.toString('base64') !== raw.trim()) {
    throw new ConfigError('OKMSD_MASTER_KEY', 'must be exactly 32 bytes in standard base64 (e.g. `openssl rand -base64 32`)');
  }
  return key;
}

function region(env: Env, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(value)) throw new ConfigError(name, `must be lower-case letters, digits and dashes, got "${value}"`);
  return value;
}

function cidrs(env: Env, name: string): string[] {
  const list = (env[name] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  for (const cidr of list) if (!parseCidr(cidr)) throw new ConfigError(name, `"${cidr}" is not an IP address or CIDR`);
  return list;
}

function orderKey(env: Env): { type: 'rsa' | 'ec'; bits: number } {
  const raw = (env.OKMSD_ORDER_KEY || 'rsa-2048').toLowerCase();
  const match = /^(rsa)-(2048|3072|4096)$|^(ec)-(256|384)$/.exec(raw);
  if (!match) throw new ConfigError('OKMSD_ORDER_KEY', `must be rsa-2048, rsa-3072, rsa-4096, ec-256 or ec-384, got "${raw}"`);
  return match[1] ? { type: 'rsa', bits: Number(match[2]) } : { type: 'ec', bits: Number(match[4]) };
}

function rateLimit(env: Env, name: string, fallback: number): { perSecond: number; burst: number } {
  const perSecond = nonNegativeInt(env, name, fallback);
  return { perSecond, burst: nonNegativeInt(env, `${name}_BURST`, perSecond * 2) || perSecond };
}

function serverLimits(env: Env): ServerLimits {
  const limits = {
    headersTimeoutMs: positiveInt(env, 'OKMSD_HEADERS_TIMEOUT_MS', 10_000),
    requestTimeoutMs: positiveInt(env, 'OKMSD_REQUEST_TIMEOUT_MS', 30_000),
    tlsHandshakeTimeoutMs: positiveInt(env, 'OKMSD_TLS_HANDSHAKE_TIMEOUT_MS', 5_000),
    maxConnections: positiveInt(env, 'OKMSD_MAX_CONNECTIONS', 10_000),
    maxConnectionsPerSource: positiveInt(env, 'OKMSD_MAX_CONNECTIONS_PER_SOURCE', 512),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('OKMSD_HEADERS_TIMEOUT_MS', 'must not exceed OKMSD_REQUEST_TIMEOUT_MS');
  return limits;
}

/** Reads okmsd's configuration from environment variables (names are a stable interface). */
export function loadConfig(env: Env = process.env): OkmsdConfig {
  const store = (env.OKMSD_STORE || 'embedded') as StoreKind;
  if (store !== 'embedded' && store !== 'mongodb') throw new ConfigError('OKMSD_STORE', `must be "embedded" or "mongodb", got "${store}"`);
  const mongodbUri = env.OKMSD_MONGODB_URI || undefined;
  if (store === 'mongodb' && !mongodbUri) throw new ConfigError('OKMSD_MONGODB_URI', 'is required when OKMSD_STORE=mongodb (e.g. mongodb://db1,db2,db3/okmsd?replicaSet=rs0)');
  if (mongodbUri !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) throw new ConfigError('OKMSD_MONGODB_URI', 'must start with mongodb:// or mongodb+srv://');
  const adminToken = env.OKMSD_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && (adminToken.length < 16 || /\s/.test(adminToken))) {
    throw new ConfigError('OKMSD_ADMIN_TOKEN', 'must be at least 16 characters without spaces');
  }
  const rootAccount = env.OKMSD_ROOT_ACCOUNT || 'root';
  if (!isValidAccountId(rootAccount)) throw new ConfigError('OKMSD_ROOT_ACCOUNT', `"${rootAccount}" is not a valid account id`);
  return {
    dataDir: resolve(env.OKMSD_DATA_DIR || './data'),
    host: env.OKMSD_HOST || '127.0.0.1',
    port: port(env, 'OKMSD_PORT', 8080),
    gatewayPort: port(env, 'OKMSD_GATEWAY_PORT', 8443),
    plane: plane(env),
    gatewayWorkers: gatewayWorkers(env),
    kmipPort: env.OKMSD_KMIP_PORT === 'off' ? null : port(env, 'OKMSD_KMIP_PORT', 5696),
    gatewayHostnames: (env.OKMSD_GATEWAY_HOSTNAMES ?? '').split(',').map((h) => h.trim()).filter(Boolean),
    pkiUrl: pkiUrl(env),
    adminToken,
    masterKey: masterKey(env),
    store,
    mongodbUri,
    urnRegion: region(env, 'OKMSD_URN_REGION', 'eu'),
    defaultDomainRegion: region(env, 'OKMSD_DEFAULT_REGION', 'local'),
    rootAccount,
    logLevel: env.OKMSD_LOG_LEVEL || 'info',
    // RSA generation runs on worker threads of its own, one per core: the event loop and signing never wait on it.
    maxConcurrentRsaKeygen: positiveInt(env, 'OKMSD_RSA_KEYGEN_CONCURRENCY', availableParallelism()),
    rsaKeyReserve: nonNegativeInt(env, 'OKMSD_RSA_KEY_RESERVE', 64),
    maxQueuedRsaKeygen: positiveInt(env, 'OKMSD_RSA_KEYGEN_QUEUE', 256),
    csrVerifyThreads: positiveInt(env, 'OKMSD_CSR_VERIFY_THREADS', Math.min(4, availableParallelism())),
    keystoneTokenTtlSeconds: positiveInt(env, 'OKMSD_KEYSTONE_TOKEN_TTL', 3600),
    orderKey: orderKey(env),
    renewOverlapSeconds: nonNegativeInt(env, 'OKMSD_RENEW_OVERLAP_SECONDS', 86_400),
    renewGraceDays: nonNegativeInt(env, 'OKMSD_RENEW_GRACE_DAYS', 30),
    expiryThresholdsDays: thresholds(env),
    webhook: webhook(env),
    lifecycleIntervalSeconds: nonNegativeInt(env, 'OKMSD_LIFECYCLE_INTERVAL', 60),
    auditSyncMs: auditSyncMs(env),
    trustedProxies: cidrs(env, 'OKMSD_TRUSTED_PROXIES'),
    clientCertHeader: (env.OKMSD_CLIENT_CERT_HEADER || 'x-client-cert').toLowerCase(),
    rateLimits: {
      unauthenticatedPerSource: rateLimit(env, 'OKMSD_RATE_LIMIT_UNAUTHENTICATED', 20),
      perCaller: rateLimit(env, 'OKMSD_RATE_LIMIT_PER_CALLER', 10_000),
    },
    serverLimits: serverLimits(env),
  };
}
