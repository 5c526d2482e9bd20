import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/app/config';
import { startOkmsd, type RunningOkmsd } from '../../src/app/start-okmsd';

export const ADMIN_TOKEN = 'test-root-token-0123456789abcdef';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export interface TestOkmsd {
  okmsd: RunningOkmsd;
  dataDir: string;
  logs: string[];
  api(method: string, path: string, options?: { body?: unknown; raw?: string | Buffer; contentType?: string; token?: string | null; headers?: Record<string, string> }): Promise<ApiResponse>;
  stop(): Promise<void>;
  /** Stops it and removes its data dir: the end of a test file. */
  dispose(): Promise<void>;
}

export function tempDir(prefix = 'okmsd-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts a real okmsd (real HTTP server on an ephemeral port, real SQLite file) and captures its logs. */
export async function startTestOkmsd(options: { dataDir?: string; env?: Record<string, string>; clock?: () => Date } = {}): Promise<TestOkmsd> {
  const dataDir = options.dataDir ?? tempDir();
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const config = loadConfig({ OKMSD_DATA_DIR: dataDir, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_KMIP_PORT: '0', OKMSD_ADMIN_TOKEN: ADMIN_TOKEN, OKMSD_LOG_LEVEL: 'debug',
    // Suites send many refused calls from 127.0.0.1 on purpose: the limits are off unless a test turns them on.
    OKMSD_RATE_LIMIT_UNAUTHENTICATED: '0', OKMSD_RATE_LIMIT_PER_CALLER: '0', ...options.env });
  const okmsd = await startOkmsd(config, { logStream, clock: options.clock });
  const api: TestOkmsd['api'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? ADMIN_TOKEN : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | Buffer | undefined;
    if (o.raw !== undefined) {
      body = o.raw;
      headers['content-type'] = o.contentType ?? 'application/json';
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    const response = await fetch(`${okmsd.controlUrl}${path}`, { method, headers, body: body === undefined ? undefined : new Uint8Array(Buffer.from(body)) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };
  return {
    okmsd,
    dataDir,
    logs,
    api,
    async stop() {
      await okmsd.close();
    },
    async dispose() {
      await okmsd.close();
      removeDir(dataDir);
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export const rootUrn = (name?: string) => (name ? `urn:v1:eu:identity:user:root/${name}` : 'urn:v1:eu:identity:account:root');

export async function createDomain(t: TestOkmsd, name = 'test-domain', token?: string): Promise<any> {
  const response = await t.api('POST', '/okms/resource', { body: { name }, token });
  if (response.status !== 201) throw new Error(`domain create failed: ${response.status} ${response.text}`);
  return response.json;
}

/** IAM users of the root account: a credential may name only identities that exist. */
export async function createUsers(t: TestOkmsd, ...logins: string[]): Promise<void> {
  for (const login of logins) {
    const response = await t.api('POST', '/iam/user', { body: { login } });
    if (response.status !== 201 && response.status !== 409) throw new Error(`user create failed: ${response.status} ${response.text}`);
  }
}
