import { statSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { ADMIN_TOKEN, createDomain, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';

/**
 * The front door as an attacker tries it, on loopback, bounded in count: floods of unauthenticated calls leave the
 * store as it was and the log bounded; limits answer 429 with Retry-After in each plane's error body; admin tokens
 * expire and are revoked at once. The clock is injected: buckets refill only when the test moves it.
 */
const START = Date.parse('2026-06-01T12:00:00.000Z');

async function withClock(env: Record<string, string>) {
  let now = START;
  const t = await startTestOkmsd({ env, clock: () => new Date(now) });
  return { t, advance: (ms: number) => (now += ms) };
}

const auditCount = async (t: TestOkmsd) => (await t.okmsd.store.audit.last())?.seq ?? 0;
const storeBytes = (t: TestOkmsd) => ['okmsd.sqlite', 'okmsd.sqlite-wal'].reduce((sum, f) => sum + (statSync(join(t.dataDir, f), { throwIfNoEntry: false })?.size ?? 0), 0);

/** `count` calls without a client certificate over one keep-alive connection pool; resolves with the statuses. */
async function anonymousGatewayFlood(t: TestOkmsd, path: string, count: number): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: t.okmsd.gatewayCaPEM });
  const statuses = new Map<number, number>();
  try {
    const one = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(`${t.okmsd.gatewayUrl}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            resolve();
          });
        });
        req.on('error', reject);
        req.end();
      });
    for (let sent = 0; sent < count; sent += 50) await Promise.all(Array.from({ length: Math.min(50, count - sent) }, one));
  } finally {
    agent.destroy();
  }
  return statuses;
}

describe('refusals before authentication cost almost nothing and never grow the store', () => {
  let t: TestOkmsd;
  beforeAll(async () => {
    t = await startTestOkmsd();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('2,000 gateway calls with a 15 KB domain id and no certificate: no record, no growth, a bounded log, all counted', async () => {
    const recordsBefore = await auditCount(t);
    const bytesBefore = storeBytes(t);
    const logsBefore = t.logs.length;
    const statuses = await anonymousGatewayFlood(t, `/api/${'x'.repeat(15_000)}/v1/random`, 2000);
    expect([...statuses.entries()]).toEqual([[400, 2000]]);
    expect(await auditCount(t)).toBe(recordsBefore);
    expect(storeBytes(t) - bytesBefore).toBeLessThan(64 * 1024);
    const logged = t.logs.slice(logsBefore);
    // Sampled: at most 10 lines a second plus one summary a second, each short.
    expect(logged.length).toBeLessThan(200);
    for (const line of logged) expect(line.length).toBeLessThan(2000);
    const metrics = (await t.api('GET', '/metrics', { token: null })).text;
    expect(metrics).toMatch(/okmsd_unauthenticated_refusals_total\{plane="gateway",reason="bad_request"\} 2000/);
  });

  it('calls with no certificate on a real domain: 401 each, counted, none stored', async () => {
    const domain = await createDomain(t, 'front-door');
    const recordsBefore = await auditCount(t);
    const statuses = await anonymousGatewayFlood(t, `/api/${domain.id}/v1/random`, 300);
    expect([...statuses.entries()]).toEqual([[401, 300]]);
    expect(await auditCount(t)).toBe(recordsBefore + 0);
  });

  it('bad admin tokens on the control plane: 401 each, none stored', async () => {
    const recordsBefore = await auditCount(t);
    const answers = await Promise.all(Array.from({ length: 200 }, () => t.api('POST', '/okms/resource', { token: 'not-a-real-token-0123456789', body: { name: 'x' } })));
    expect(answers.every((a) => a.status === 401 && a.json.code === 'ERR_UNAUTHENTICATED')).toBe(true);
    expect(await auditCount(t)).toBe(recordsBefore);
  });

  it('a Barbican offset past any real page is a 400 naming offset, not a store error (schemathesis found the 500)', async () => {
    const domain = await createDomain(t, 'offsets');
    await t.api('POST', '/iam/user', { body: { login: 'offset-user', password: 'offset-password-0123' } });
    await t.api('POST', '/iam/policy', { body: { name: 'offset-all', identities: [rootUrn('offset-user')], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}` }, { urn: `urn:v1:eu:resource:okms:${domain.id}/*` }], permissions: { allow: [{ action: 'okms:apikms:*' }] } } });
    const login = await t.api('POST', '/v3/auth/tokens', { token: null, body: { auth: { identity: { methods: ['password'], password: { user: { name: 'offset-user', password: 'offset-password-0123' } } }, scope: { project: { id: domain.id } } } } });
    const token = login.headers.get('x-subject-token')!;
    for (const kind of ['secrets', 'containers', 'orders']) {
      const response = await t.api('GET', `/v1/${kind}?offset=9223372036854775296`, { token: null, headers: { 'x-auth-token': token } });
      expect({ kind, status: response.status }).toEqual({ kind, status: 400 });
      expect(response.json.description).toContain('offset');
    }
  });

  it('every audited field is capped: a 6 KB login in the path still makes a record of bounded size', async () => {
    const long = await t.api('DELETE', `/iam/user/${'a'.repeat(6000)}`);
    expect(long.status).toBe(404);
    const last = JSON.parse((await t.okmsd.store.audit.last())!.record);
    expect(last).toMatchObject({ action: 'DELETE /iam/user/:login', status: 404 });
    expect(JSON.stringify(last).length).toBeLessThan(1500);
  });
});

describe('rate limits answer 429 with Retry-After, in the dialect of each plane', () => {
  it('failed authentications per source: control plane, gateway and Keystone; the bucket refills with time', async () => {
    const { t, advance } = await withClock({ OKMSD_RATE_LIMIT_UNAUTHENTICATED: '5', OKMSD_RATE_LIMIT_UNAUTHENTICATED_BURST: '5' });
    try {
      const domain = await createDomain(t, 'limits');
      for (let i = 0; i < 5; i += 1) expect((await t.api('GET', '/me', { token: 'wrong-token-0123456789abcdef' })).status).toBe(401);
      const limited = await t.api('GET', '/me', { token: 'wrong-token-0123456789abcdef' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.json).toMatchObject({ class: 'Client::TooManyRequests', code: 'ERR_RATE_LIMITED' });
      // The same source is slowed on every plane, in each one's own body.
      const gateway = await mtlsCall(t, `/api/${domain.id}/v1/random`, {});
      expect(gateway.status).toBe(429);
      expect(gateway.json).toMatchObject({ reason: 'rate_limited', error_code: 50434050 });
      expect(gateway.headers['retry-after']).toBeDefined();
      const keystone = await t.api('POST', '/v3/auth/tokens', { token: null, body: { auth: { identity: { methods: ['password'], password: { user: { name: 'x', password: 'y' } } } } } });
      expect(keystone.status).toBe(429);
      expect(keystone.json).toMatchObject({ error: { code: 429, title: 'Too Many Requests' } });
      const barbican = await t.api('GET', '/v1/secrets', { token: null });
      expect(barbican.status).toBe(429);
      expect(barbican.json).toMatchObject({ code: 429, title: 'Too Many Requests' });
      advance(1000);
      expect((await t.api('GET', '/me')).status).toBe(200);
      const metrics = (await t.api('GET', '/metrics', { token: null })).text;
      expect(metrics).toMatch(/okmsd_rate_limited_total\{plane="control",scope="source"\} [1-9]/);
      // Logins that work pay too: each writes a token and a record, and a source cannot repeat that without bound.
      expect((await t.api('POST', '/iam/user', { body: { login: 'looper', password: 'looper-password-0123' } })).status).toBe(201);
      const loginBody = { auth: { identity: { methods: ['password'], password: { user: { name: 'looper', password: 'looper-password-0123' } } }, scope: { project: { id: domain.id } } } };
      advance(10_000);
      const logins: number[] = [];
      for (let i = 0; i < 7; i += 1) logins.push((await t.api('POST', '/v3/auth/tokens', { token: null, body: loginBody })).status);
      expect(logins).toEqual([201, 201, 201, 201, 201, 429, 429]);
    } finally {
      await t.dispose();
    }
  });

  it('per caller: a credential past its limit gets 429 on the data plane, another credential is not slowed', async () => {
    const { t, advance } = await withClock({ OKMSD_RATE_LIMIT_PER_CALLER: '3', OKMSD_RATE_LIMIT_PER_CALLER_BURST: '3' });
    try {
      const domain = await createDomain(t, 'per-caller');
      const issue = async (name: string) => {
        const created = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name, identityURNs: [rootUrn()] } });
        advance(1000); // the admin token's own bucket refills between the issuances
        return { cert: created.json.certificatePEM as string, key: created.json.privateKeyPEM as string };
      };
      const first = await issue('first');
      const second = await issue('second');
      const path = `/api/${domain.id}/v1/random?length=4`;
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await mtlsCall(t, path, first)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await mtlsCall(t, path, second)).status).toBe(200);
      const audited = JSON.parse((await t.okmsd.store.audit.last())!.record);
      expect(audited).toMatchObject({ status: 200 });
      advance(1000);
      expect((await mtlsCall(t, path, first)).status).toBe(200);
    } finally {
      await t.dispose();
    }
  });
});

describe('admin tokens: created with an expiry, listed without secrets, revoked at once', () => {
  it('create, use, list, expire, revoke', async () => {
    const { t, advance } = await withClock({});
    try {
      const created = await t.api('POST', '/token', { body: { description: 'ci deploy', expiresInSeconds: 3600 } });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{16}$/), description: 'ci deploy', expiresAt: new Date(START + 3_600_000).toISOString(), token: expect.stringMatching(/^okmsd\./) });
      const ci = created.json.token as string;
      expect((await t.api('GET', '/me', { token: ci })).json).toMatchObject({ account: 'root' });

      const listed = await t.api('GET', '/token', { token: ci });
      expect(listed.status).toBe(200);
      expect(listed.json).toEqual(expect.arrayContaining([expect.objectContaining({ id: created.json.id, current: true, expiresAt: created.json.expiresAt })]));
      expect(listed.text).not.toContain(ci.split('.')[2]);
      expect(listed.text).not.toMatch(/secretHash|[0-9a-f]{64}/);

      advance(3_600_000);
      expect((await t.api('GET', '/me', { token: ci })).status).toBe(401);

      const other = (await t.api('POST', '/token', { body: { description: 'to revoke' } })).json;
      expect(other.expiresAt).toBeNull();
      expect((await t.api('GET', '/me', { token: other.token })).status).toBe(200);
      expect((await t.api('DELETE', `/token/${other.id}`)).status).toBe(204);
      expect((await t.api('GET', '/me', { token: other.token })).status).toBe(401);
      expect((await t.api('DELETE', `/token/${other.id}`)).json).toMatchObject({ code: 'ERR_NOT_FOUND', field: 'tokenId' });
      expect((await t.api('DELETE', '/token/not-an-id')).status).toBe(404);
      expect((await t.api('GET', '/me', { token: ADMIN_TOKEN })).status).toBe(200);

      const records = (await t.api('GET', '/audit?limit=1000')).json.map((e: any) => e.record);
      expect(records).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'DELETE /token/:tokenId', objectId: other.id, status: 204 })]));
      expect(JSON.stringify(records)).not.toContain(other.token);
    } finally {
      await t.dispose();
    }
  });

  it('a token of another account cannot be revoked (404, as if absent)', async () => {
    const t = await startTestOkmsd();
    try {
      const tenant = (await t.api('POST', '/account', { body: { id: 'tenant-a' } })).json.token as string;
      const rootToken = (await t.api('POST', '/token', { body: {} })).json;
      expect((await t.api('DELETE', `/token/${rootToken.id}`, { token: tenant })).status).toBe(404);
      expect((await t.api('GET', '/me', { token: rootToken.token })).status).toBe(200);
    } finally {
      await t.dispose();
    }
  });
});

describe('Keystone tokens and passwords', () => {
  const PASSWORD = 'correct horse battery staple';
  const login = (t: TestOkmsd, user: string, password: string, projectId: string) =>
    t.api('POST', '/v3/auth/tokens', { token: null, body: { auth: { identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } }, scope: { project: { id: projectId } } } } });
  const rescope = (t: TestOkmsd, token: string, projectId: string) =>
    t.api('POST', '/v3/auth/tokens', { token: null, body: { auth: { identity: { methods: ['token'], token: { id: token } }, scope: { project: { id: projectId } } } } });
  const secrets = (t: TestOkmsd, token: string) => t.api('GET', '/v1/secrets', { token: null, headers: { 'x-auth-token': token } });

  it('the token method never extends the first expiry', async () => {
    const { t, advance } = await withClock({ OKMSD_KEYSTONE_TOKEN_TTL: '3600' });
    try {
      const domain = await createDomain(t, 'ks');
      expect((await t.api('POST', '/iam/user', { body: { login: 'alice', password: PASSWORD } })).status).toBe(201);
      const first = await login(t, 'alice', PASSWORD, domain.id);
      expect(first.status).toBe(201);
      const firstToken = first.headers.get('x-subject-token')!;
      advance(30 * 60_000);
      const second = await rescope(t, firstToken, domain.id);
      expect(second.status).toBe(201);
      expect(second.json.token.expires_at).toBe(first.json.token.expires_at);
      const third = await rescope(t, second.headers.get('x-subject-token')!, domain.id);
      expect(third.json.token.expires_at).toBe(first.json.token.expires_at);
      advance(30 * 60_000);
      expect((await rescope(t, third.headers.get('x-subject-token')!, domain.id)).status).toBe(401);
    } finally {
      await t.dispose();
    }
  });

  it("a password change revokes the user's tokens; a deleted user's tokens die and a re-created login does not revive them", async () => {
    const t = await startTestOkmsd();
    try {
      const domain = await createDomain(t, 'ks-revoke');
      await t.api('POST', '/iam/user', { body: { login: 'bob', password: PASSWORD } });
      await t.api('POST', '/iam/policy', { body: { name: 'bob-all', identities: [rootUrn('bob')], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}` }, { urn: `urn:v1:eu:resource:okms:${domain.id}/*` }], permissions: { allow: [{ action: 'okms:apikms:*' }] } } });
      const before = (await login(t, 'bob', PASSWORD, domain.id)).headers.get('x-subject-token')!;
      expect((await secrets(t, before)).status).toBe(200);
      expect((await t.api('PUT', '/iam/user/bob', { body: { password: `${PASSWORD}!` } })).status).toBe(200);
      expect((await secrets(t, before)).status).toBe(401);
      const after = (await login(t, 'bob', `${PASSWORD}!`, domain.id)).headers.get('x-subject-token')!;
      expect((await secrets(t, after)).status).toBe(200);
      // An update that leaves the password alone revokes nothing.
      expect((await t.api('PUT', '/iam/user/bob', { body: { description: 'still bob' } })).status).toBe(200);
      expect((await secrets(t, after)).status).toBe(200);

      expect((await t.api('DELETE', '/iam/user/bob')).status).toBe(204);
      expect((await secrets(t, after)).status).toBe(401);
      expect((await t.api('POST', '/iam/user', { body: { login: 'bob', password: `${PASSWORD}!` } })).status).toBe(201);
      expect((await secrets(t, after)).status).toBe(401);
      expect((await rescope(t, after, domain.id)).status).toBe(401);
      const fresh = (await login(t, 'bob', `${PASSWORD}!`, domain.id)).headers.get('x-subject-token')!;
      expect((await secrets(t, fresh)).status).toBe(200);
    } finally {
      await t.dispose();
    }
  });

  it('a password spray backs off: 5 wrong passwords, then 429 with Retry-After, without hashing, even for the right one; the lock ends with time', async () => {
    const { t, advance } = await withClock({});
    try {
      const domain = await createDomain(t, 'spray');
      await t.api('POST', '/iam/user', { body: { login: 'carol', password: PASSWORD } });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i += 1) statuses.push((await login(t, 'carol', `guess-${i}`, domain.id)).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
      const locked = await login(t, 'carol', PASSWORD, domain.id);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(locked.json).toMatchObject({ error: { code: 429 } });
      // Another user from another address is not locked out by carol's.
      await t.api('POST', '/iam/user', { body: { login: 'dave', password: PASSWORD } });
      advance(16 * 60_000);
      expect((await login(t, 'carol', PASSWORD, domain.id)).status).toBe(201);
      expect((await login(t, 'dave', PASSWORD, domain.id)).status).toBe(201);
      // Failed logins are refusals before authentication: none is in the audit log.
      const records = (await t.api('GET', '/audit?limit=1000')).json.map((e: any) => e.record);
      expect(records.filter((r: any) => r.action === 'POST /v3/auth/tokens').map((r: any) => r.status)).toEqual([201, 201]);
    } finally {
      await t.dispose();
    }
  });
});

describe('identities are bound to entities that cannot be re-created', () => {
  it('a credential names only identities that exist; deleting a user ends its certificates for good, a new user of the same login included', async () => {
    const t = await startTestOkmsd();
    try {
      const domain = await createDomain(t, 'bound');
      const missing = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'ghost', identityURNs: [rootUrn(), rootUrn('nobody')] } });
      expect(missing.status).toBe(400);
      expect(missing.json).toMatchObject({ code: 'ERR_VALIDATION', field: 'identityURNs[1]' });
      expect((await t.api('GET', `/okms/resource/${domain.id}/credential`)).json).toEqual([]);

      const policy = { name: 'erin-random', identities: [rootUrn('erin')], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}` }], permissions: { allow: [{ action: 'okms:apikms:random/get' }] } };
      await t.api('POST', '/iam/user', { body: { login: 'erin' } });
      const policyId = (await t.api('POST', '/iam/policy', { body: policy })).json.id;
      const created = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'erin', identityURNs: [rootUrn('erin')] } })).json;
      const old = { cert: created.certificatePEM, key: created.privateKeyPEM };
      const path = `/api/${domain.id}/v1/random?length=4`;
      expect((await mtlsCall(t, path, old)).status).toBe(200);

      expect((await t.api('DELETE', '/iam/user/erin')).status).toBe(204);
      expect((await mtlsCall(t, path, old)).status).toBe(403);
      expect((await t.api('POST', '/iam/user', { body: { login: 'erin' } })).status).toBe(201);
      // The policy still names erin's URN, and a new erin exists: the old certificate still does not speak for her.
      expect((await t.api('GET', `/iam/policy/${policyId}`)).status).toBe(200);
      expect((await mtlsCall(t, path, old)).status).toBe(403);
      const explained = await t.api('POST', '/iam/explain', { body: { okmsId: domain.id, credentialId: created.id, action: 'okms:apikms:random/get' } });
      expect(explained.json).toMatchObject({ allowed: false, identities: { effective: [], ignored: [{ urn: rootUrn('erin'), reason: expect.stringContaining('deleted and re-created') }] } });
      const renewed = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'erin-2', identityURNs: [rootUrn('erin')] } })).json;
      expect((await mtlsCall(t, path, { cert: renewed.certificatePEM, key: renewed.privateKeyPEM })).status).toBe(200);
    } finally {
      await t.dispose();
    }
  });
});

describe('server limits: slow clients are cut off, connections are capped', () => {
  const connect = (port: number) =>
    new Promise<import('node:net').Socket>((resolve, reject) => {
      const socket = require('node:net').connect(port, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });
  /** Resolves with what the server wrote before it closed the connection. */
  const closed = (socket: import('node:net').Socket) =>
    new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk) => (text += String(chunk)));
      socket.once('close', () => resolve(text));
    });

  it('headers that never finish get 408 and a closed connection; a TLS handshake that never starts is dropped', async () => {
    const t = await startTestOkmsd({ env: { OKMSD_HEADERS_TIMEOUT_MS: '300', OKMSD_REQUEST_TIMEOUT_MS: '600', OKMSD_TLS_HANDSHAKE_TIMEOUT_MS: '300' } });
    try {
      const slow = await connect(t.okmsd.port);
      const answer = closed(slow);
      slow.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      expect(await answer).toMatch(/^HTTP\/1\.1 408/);
      const silent = await connect(t.okmsd.gatewayPort);
      expect(await closed(silent)).toBe('');
      expect((await t.api('GET', '/healthz')).status).toBe(200);
    } finally {
      await t.dispose();
    }
  });

  it('a source past its open-connection cap is closed at once; closing one makes room', async () => {
    const t = await startTestOkmsd({ env: { OKMSD_MAX_CONNECTIONS_PER_SOURCE: '3' } });
    try {
      const open = await Promise.all([1, 2, 3].map(() => connect(t.okmsd.port)));
      const fourth = await connect(t.okmsd.port);
      expect(await closed(fourth)).toBe('');
      const gone = closed(open[0]!);
      open[0]!.destroy();
      await gone;
      // The server learns of the close a moment after the client: a few tries, never a sleep.
      let reply = '';
      for (let attempt = 0; attempt < 50 && !reply.startsWith('HTTP/1.1 200'); attempt += 1) {
        const again = await connect(t.okmsd.port);
        const answer = closed(again);
        again.end('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
        reply = await answer;
      }
      expect(reply).toMatch(/^HTTP\/1\.1 200/);
      for (const socket of open) socket.destroy();
    } finally {
      await t.dispose();
    }
  });
});
