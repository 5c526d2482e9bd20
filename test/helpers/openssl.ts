import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTools } from './outside-tools';

// Every helper here runs the real openssl: without it the cross-checks fail, they are never skipped.
requireTools('openssl');

const work = () => mkdtempSync(join(tmpdir(), 'okmsd-openssl-'));

export type CsrKey = 'rsa:1024' | 'rsa:2048' | 'rsa:3072' | 'rsa:4096' | 'P-256' | 'P-384' | 'P-521' | 'secp256k1' | 'ed25519';

/** A CSR and its key made by the real `openssl req`. */
function csrArgs(key: CsrKey, subject: string): { args: string[]; keyFile: string; csrFile: string } {
  const dir = work();
  const keyFile = join(dir, 'key.pem');
  const csrFile = join(dir, 'req.csr');
  let keyArgs: string[];
  if (key.startsWith('rsa:')) keyArgs = ['-newkey', key];
  else if (key === 'ed25519') keyArgs = ['-newkey', 'ed25519'];
  else keyArgs = ['-newkey', 'ec', '-pkeyopt', `ec_paramgen_curve:${key}`];
  return { args: ['req', '-new', ...keyArgs, '-nodes', '-keyout', keyFile, '-subj', subject, '-addext', 'subjectAltName=DNS:evil.example', '-out', csrFile], keyFile, csrFile };
}

export function opensslCsr(key: CsrKey, subject = '/CN=ignored-by-okmsd/O=evil'): { csrPEM: string; keyPEM: string } {
  const { args, keyFile, csrFile } = csrArgs(key, subject);
  execFileSync('openssl', args, { stdio: 'pipe' });
  return { csrPEM: readFileSync(csrFile, 'utf8'), keyPEM: readFileSync(keyFile, 'utf8') };
}

/**
 * The same without blocking the event loop: an RSA-4096 key takes seconds, and a test's okmsd runs in the same
 * process (a blocked loop lets its idle keep-alive connections expire under the next request).
 */
export async function opensslCsrAsync(key: CsrKey, subject = '/CN=ignored-by-okmsd/O=evil'): Promise<{ csrPEM: string; keyPEM: string }> {
  const { args, keyFile, csrFile } = csrArgs(key, subject);
  await new Promise<void>((resolve, reject) => execFile('openssl', args, (error) => (error ? reject(error) : resolve())));
  return { csrPEM: readFileSync(csrFile, 'utf8'), keyPEM: readFileSync(keyFile, 'utf8') };
}

/** `openssl verify -CAfile ca.pem cert.pem`: returns stdout, throws with stderr on failure. */
export function opensslVerify(caPEM: string, certPEM: string, purpose?: 'sslclient'): string {
  const dir = work();
  writeFileSync(join(dir, 'ca.pem'), caPEM);
  writeFileSync(join(dir, 'cert.pem'), certPEM);
  const args = ['verify', '-CAfile', join(dir, 'ca.pem'), ...(purpose ? ['-purpose', purpose] : []), join(dir, 'cert.pem')];
  return execFileSync('openssl', args, { stdio: 'pipe' }).toString();
}

export function opensslText(certPEM: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-text'], { input: certPEM, stdio: 'pipe' }).toString();
}

/** The modulus/public key of a private key and of a certificate, to prove they belong together. */
export function publicKeyOfPrivate(keyPEM: string): string {
  return execFileSync('openssl', ['pkey', '-pubout'], { input: keyPEM, stdio: 'pipe' }).toString();
}

export function publicKeyOfCert(certPEM: string): string {
  return execFileSync('openssl', ['x509', '-noout', '-pubkey'], { input: certPEM, stdio: 'pipe' }).toString();
}

/**
 * openssl as a relying party, asynchronously (it may talk to the okmsd of this very process: a sync call would
 * block the server it waits on); its exit status is part of the answer (verify fails with 2 on a revoked chain).
 */
export async function opensslRun(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('openssl', args, { encoding: 'utf8' });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** A DER CRL as PEM, for openssl's -CRLfile. */
export const crlDerToPem = (der: Buffer): string => `-----BEGIN X509 CRL-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END X509 CRL-----\n`;
