import { createPublicKey, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestOkmsd, createUsers, ADMIN_TOKEN, type TestOkmsd } from '../helpers/harness';
import { opensslCsr } from '../helpers/openssl';
import { requireTools } from '../helpers/outside-tools';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', '..', 'test-output');

describe('web console in headless Chromium', () => {
  let t: TestOkmsd;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: true });

  beforeAll(async () => {
    requireTools('chromium');
    mkdirSync(SHOTS, { recursive: true });
    t = await startTestOkmsd();
    await createUsers(t, 'alice');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    page.on('dialog', (dialog) => void dialog.accept()); // the revoke confirmation
  });
  afterAll(async () => {
    await browser?.close();
    await t.dispose();
  });

  it('signs in with the admin token and creates a domain', async () => {
    await page.goto(`${t.okmsd.controlUrl}/console`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('#signin-form button');
    await page.waitForSelector('#status:has-text("Signed in as root")');
    await page.fill('#domain-name', 'console-domain');
    await page.click('#domain-form button');
    await page.waitForSelector('#domain-select option:has-text("console-domain")', { state: 'attached' });
    await shot('signed-in');
  });

  it('issues a server-key credential and offers its key once, only after the explicit confirmation', async () => {
    await page.fill('#cred-name', 'browser-app');
    await page.fill('#cred-identities', 'urn:v1:eu:identity:account:root');
    await page.click('#credential-form button[type=submit]');
    await page.waitForSelector('#key-dialog[open]');
    await shot('key-once');
    expect(await page.isDisabled('#key-download')).toBe(true);
    await page.check('#key-confirm');
    const downloaded = page.waitForEvent('download', (d) => d.suggestedFilename().endsWith('.key'));
    await page.click('#key-download');
    const download = await downloaded;
    const keyPEM = readFileSync((await download.path())!, 'utf8');
    expect(keyPEM).toContain('-----BEGIN PRIVATE KEY-----');
    expect(await page.isVisible('#key-dialog')).toBe(false);
    // The downloaded key belongs to the certificate okmsd keeps; the API never returns the key again.
    const domainId = await page.inputValue('#domain-select');
    const listed = (await t.api('GET', `/okms/resource/${domainId}/credential`)).json as Array<{ name: string; certificatePEM: string; privateKeyPEM?: string }>;
    const credential = listed.find((c) => c.name === 'browser-app')!;
    expect(credential.privateKeyPEM).toBeUndefined();
    const certKey = new X509Certificate(credential.certificatePEM).publicKey.export({ type: 'spki', format: 'pem' });
    expect(createPublicKey(keyPEM).export({ type: 'spki', format: 'pem' })).toBe(certKey);
    await page.waitForSelector('#credentials tr:has-text("browser-app")');
    expect(await page.textContent('#credentials tr:has-text("browser-app")')).toMatch(/READY\s*ECDSA\s*server key\s*36[45]/);
  });

  it('issues a credential from a CSR pasted as it is, explains it, and revokes the other one', async () => {
    await page.fill('#cred-name', 'pasted-csr');
    await page.fill('#cred-identities', 'urn:v1:eu:identity:user:root/alice');
    await page.fill('#cred-csr', opensslCsr('P-256').csrPEM);
    await page.click('#credential-form button[type=submit]');
    await page.waitForSelector('#credentials tr:has-text("pasted-csr")');
    expect(await page.isVisible('#key-dialog')).toBe(false); // no key to offer: it stayed with its owner
    expect(await page.textContent('#credentials tr:has-text("pasted-csr")')).toContain('CSR');

    const csrId = await page.getAttribute('#credentials tr:has-text("pasted-csr")', 'data-id');
    await page.fill('#explain-credential', csrId!);
    await page.click('#explain-form button');
    await page.waitForSelector('#explain-result:has-text("DENIED")');
    expect(await page.textContent('#explain-result')).toContain('no_policy_allows');

    await page.click('button[aria-label="Revoke browser-app"]');
    await page.waitForSelector('#status:has-text("Revoked browser-app")');
    await page.waitForSelector('#credentials tr:has-text("browser-app")', { state: 'detached' });
    await page.click('#audit-verify');
    await page.waitForSelector('#audit-verdict:has-text("Chain intact")');
    await shot('after-revoke');
  });

  it('renews a server-key credential: a new key offered once, the old credential revoked', async () => {
    await page.fill('#cred-name', 'to-renew');
    await page.fill('#cred-identities', 'urn:v1:eu:identity:account:root');
    await page.click('#credential-form button[type=submit]');
    await page.waitForSelector('#key-dialog[open]');
    await page.click('#key-discard');
    const oldId = await page.getAttribute('#credentials tr:has-text("to-renew")', 'data-id');
    await page.click('button[aria-label="Renew to-renew"]');
    await page.waitForSelector('#key-dialog[open]');
    await page.check('#key-confirm');
    const downloaded = page.waitForEvent('download', (d) => d.suggestedFilename() === 'to-renew.key');
    await page.click('#key-download');
    expect(readFileSync((await (await downloaded).path())!, 'utf8')).toContain('PRIVATE KEY');
    await page.waitForSelector('#status:has-text("Renewed to-renew")');
    const newId = await page.getAttribute('#credentials tr:has-text("to-renew")', 'data-id');
    expect(newId).not.toBe(oldId);
    const domainId = await page.inputValue('#domain-select');
    expect((await t.api('GET', `/okms/resource/${domainId}/credential/${oldId}`)).status).toBe(404);
  });

  it('a wrong token is refused with a clear message', async () => {
    const other = await browser.newPage();
    await other.goto(`${t.okmsd.controlUrl}/console`);
    await other.fill('#token', 'not-the-token-not-the-token');
    await other.click('#signin-form button');
    await other.waitForSelector('#status.error:has-text("Sign-in failed")');
    await other.close();
  });
});
