import { Agent, request } from 'node:https';
import type { TestOkmsd } from './harness';

export interface MtlsResponse {
  status: number;
  json: any;
  localPort: number | undefined;
  headers: import("node:http").IncomingHttpHeaders;
}

/**
 * A real TLS client: verifies the gateway with its CA (restEndpointCA) and presents the given certificate. `body` is
 * sent as JSON; `raw` as it is (headers given win over the JSON defaults).
 */
export function mtlsCall(
  t: TestOkmsd,
  path: string,
  options: { cert?: string; key?: string; method?: string; body?: unknown; raw?: string | Buffer; agent?: Agent; headers?: Record<string, string> } = {},
): Promise<MtlsResponse> {
  return new Promise((resolve, reject) => {
    const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const req = request(
      `${t.okmsd.gatewayUrl}${path}`,
      {
        method: options.method ?? 'GET',
        ca: t.okmsd.gatewayCaPEM,
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        ...(options.agent ? { agent: options.agent } : { agent: false }),
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode ?? 0, json, localPort: res.socket?.localPort, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
