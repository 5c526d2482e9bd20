import { spawn } from 'node:child_process';
import { startTestOkmsd, type TestOkmsd } from '../helpers/harness';

let t: TestOkmsd;
beforeAll(async () => {
  t = await startTestOkmsd();
});
afterAll(async () => {
  await t.dispose();
});

/** @seriousme/openapi-schema-validator is ESM-only: it runs in its own node process. */
function validateWithMaintainedValidator(document: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
let input = ''; process.stdin.on('data', (c) => (input += c)); process.stdin.on('end', async () => {
  const validator = new Validator(); const result = await validator.validate(JSON.parse(input));
  process.stdout.write(JSON.stringify({ valid: result.valid, errors: result.errors, version: validator.version }));
});`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(out));
      }
    });
    child.stdin.end(JSON.stringify(document));
  });
}

describe('OpenAPI 3.1 document', () => {
  it('is served without a token and validates with a maintained OpenAPI validator', async () => {
    const response = await t.api('GET', '/openapi.json', { token: null });
    expect(response.status).toBe(200);
    expect(response.json.openapi).toBe('3.1.0');
    const result = await validateWithMaintainedValidator(response.json);
    expect(result).toMatchObject({ valid: true });
  });

  it('lists every route both planes register, and nothing else', async () => {
    const doc = (await t.api('GET', '/openapi.json', { token: null })).json as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)).sort();
    // The Barbican API is served by both planes: one operation, both servers.
    // A greedy {path+} (the rest of the path) is documented as the parameter {path}.
    const registered = [...new Set([...t.okmsd.apps.control.routes, ...t.okmsd.apps.gateway.routes])].map((r) => r.replace('+}', '}')).sort();
    expect(documented).toEqual(registered);
    expect(registered.length).toBeGreaterThan(40);
  });

  it('routes the control plane as declared: a HEAD by its GET route, a 405 naming the methods, paths case-sensitive', async () => {
    const head = await t.api('HEAD', '/healthz', { token: null });
    expect([head.status, head.text]).toEqual([200, '']);
    const domain = await t.api('POST', '/okms/resource', { body: { name: 'routing' } });
    const credentials = `/okms/resource/${(domain.json as { id: string }).id}/credential`;
    expect((await t.api('HEAD', credentials)).status).toBe(200);
    expect((await t.api('GET', `${credentials}/`)).status).toBe(200); // a trailing slash is the same path
    const wrongMethod = await t.api('PUT', credentials, { body: {} });
    expect([wrongMethod.status, wrongMethod.headers.get('allow')?.split(', ').sort()]).toEqual([405, ['GET', 'POST']]);
    expect((await t.api('GET', credentials.replace('/okms/resource/', '/OKMS/resource/'))).status).toBe(404);
  });

  it('says how each route authenticates: admin token, Keystone token (with its IAM action) or none', async () => {
    const doc = (await t.api('GET', '/openapi.json', { token: null })).json as { paths: Record<string, Record<string, { security: unknown[]; 'x-okms-action'?: string }>> };
    expect(doc.paths['/v1/secrets']!.post).toMatchObject({ security: [{ keystoneToken: [] }, { mutualTLS: [] }], 'x-okms-action': 'okms:apikms:secret/create' });
    expect(doc.paths['/v3/auth/tokens']!.post!.security).toEqual([]);
    expect(doc.paths['/okms/resource']!.post!.security).toEqual([{ adminToken: [] }]);
  });

  it('serves a local API reference page at /docs (no external resources)', async () => {
    const page = await t.api('GET', '/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('/openapi.json');
    expect(page.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/);
  });

  it('serves the pages and their scripts and styles as files under a CSP without inline code', async () => {
    for (const [path, type] of [['/docs', 'text/html'], ['/docs/docs.js', 'text/javascript'], ['/docs/docs.css', 'text/css'], ['/console', 'text/html'], ['/console/app.js', 'text/javascript'], ['/console/console.css', 'text/css']] as const) {
      const page = await t.api('GET', path, { token: null });
      expect([path, page.status, page.headers.get('content-type')]).toEqual([path, 200, `${type}; charset=utf-8`]);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      if (type === 'text/html') expect(page.text).not.toMatch(/<script>|<style>|style="/);
    }
  });
});
