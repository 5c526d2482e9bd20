import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readAccessCertificate } from '../../ca/read-access-certificate';
import { CliError, EXIT, type GlobalOptions } from '../context';
import { print } from '../output';
import { requireDomain, writePrivate } from './control-commands';
import { settingsOf } from '../settings';
import { parseDuration } from './token-commands';

interface DataPlaneOptions {
  cert?: string;
  key?: string;
  dataToken?: string;
  ca?: string;
  endpoint?: string;
}

const KEY_COLUMNS = ['id', 'name', 'type', 'size', 'curve', 'operations'];

/**
 * Calls the data plane (`path` under /api/{okmsId}) with an access certificate, or with a personal access token
 * (--data-token or OKMSD_DATA_TOKEN; the okmsId then comes from --domain). The okmsId comes from --domain or the
 * certificate's UPN; the gateway's origin and CA from --endpoint/--ca or the control plane.
 */
export async function dataPlane<T>(command: Command, method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
  const o = command.optsWithGlobals<DataPlaneOptions & GlobalOptions>();
  const token = o.dataToken ?? process.env.OKMSD_DATA_TOKEN;
  if (!token && (!o.cert || !o.key)) throw new CliError('give --cert and --key (mTLS), or --data-token (a personal access token)', EXIT.usage);
  const certificate = o.cert ? readFileSync(o.cert, 'utf8') : undefined;
  const okmsId = o.domain ?? process.env.OKMSD_DOMAIN ?? (certificate ? readAccessCertificate(certificate).okmsId : undefined);
  if (!okmsId) throw new CliError(`no domain: pass --domain${certificate ? ' (the certificate carries none)' : ''}`, EXIT.usage);
  let endpoint = o.endpoint;
  let ca = o.ca ? readFileSync(o.ca, 'utf8') : undefined;
  if (!endpoint || !ca) {
    const domain = await settingsOf(command).client.call<{ restEndpoint: string; restEndpointCA: string }>('GET', `/okms/resource/${okmsId}`);
    endpoint ??= domain.restEndpoint;
    ca ??= domain.restEndpointCA;
  }
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { ...extraHeaders, ...(payload ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return new Promise<T>((resolvePromise, reject) => {
    const req = request(
      `${endpoint!.replace(/\/+$/, '')}/api/${okmsId}${path}`,
      { method, ...(certificate && !token ? { cert: certificate, key: readFileSync(o.key!, 'utf8') } : {}), ca, headers },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            json = {};
          }
          if ((res.statusCode ?? 500) >= 400) {
            const code = res.statusCode === 401 || res.statusCode === 403 ? EXIT.auth : res.statusCode === 404 ? EXIT.notFound : res.statusCode === 409 ? EXIT.conflict : EXIT.invalid;
            reject(new CliError(`${method} ${path}: ${res.statusCode} ${String((json.errors as string[] | undefined)?.[0] ?? text)}${json.reason ? ` (${String(json.reason)})` : ''}`, code));
          } else resolvePromise(Object.assign(Array.isArray(json) ? [...json] : json, { headers: res.headers }) as T);
        });
      },
    );
    req.on('error', (error) => reject(new CliError(`cannot reach the gateway at ${endpoint}: ${error.message}`)));
    req.end(payload);
  });
}

const data = (value: string): Buffer => (value === '-' ? readFileSync(0) : value.startsWith('@') ? readFileSync(value.slice(1)) : Buffer.from(value));

export function mtlsOptions(command: Command): Command {
  return command
    .option('--cert <file>', 'access certificate (PEM)')
    .option('--key <file>', 'its private key (PEM)')
    .option('--data-token <token>', 'a personal access token instead of a certificate (or OKMSD_DATA_TOKEN); needs --domain')
    .option('--ca <file>', "the gateway's CA (default: the domain's restEndpointCA)")
    .option('--endpoint <url>', "the gateway's https origin (default: the domain's restEndpoint)");
}

/** okms-cli's configuration (version 1): one default profile, the REST endpoint and its auth. */
function okmsYaml(endpoint: string, ca: string, auth: readonly string[], okmsId: string, kmip?: { endpoint: string; cert: string; key: string }): string {
  return [
    'version: 1', 'profile: default', 'profiles:', '  default:', '    restapi:', `      endpoint: ${endpoint}`, `      ca: ${ca}`, '      auth:', ...auth, `        okmsId: ${okmsId}`,
    // KMIP takes the same access certificate (never a token): okms-cli's `okms kmip …` reads this section.
    ...(kmip ? ['    kmip:', `      endpoint: ${kmip.endpoint}`, `      ca: ${ca}`, '      auth:', '        type: mtls', `        cert: ${kmip.cert}`, `        key: ${kmip.key}`] : []),
    '',
  ].join('\n');
}

export function registerDataCommands(program: Command): void {
  program
    .command('bootstrap')
    .description('create a credential and write client.crt, client.key (0600), ca.pem and an okms-cli okms.yaml; with --auth-method token, a personal access token instead')
    .option('--identity <urn>', 'identity URN (repeat for several)', (v: string, p: string[] = []) => [...p, v])
    .option('--name <name>', 'credential name', 'bootstrap')
    .option('--dir <dir>', 'where to write the files', '.')
    // Not --token: that is every command's admin token.
    .option('--auth-method <method>', "mtls (default) or token: a personal access token for --user, written to token (0600), ca.pem and an okms.yaml with auth type token", 'mtls')
    .option('--user <login>', 'with --auth-method token: the IAM user the token speaks for')
    .option('--expires-in <duration>', 'with --auth-method token: its lifetime (seconds, or 30m, 12h, 90d)')
    .action(async function (this: Command) {
      const { client, domain: d } = settingsOf(this);
      const o = this.opts<{ identity?: string[]; name: string; dir: string; authMethod: string; user?: string; expiresIn?: string }>();
      if (o.authMethod !== 'mtls' && o.authMethod !== 'token') throw new CliError('--auth-method: mtls or token', EXIT.usage);
      const okmsId = requireDomain(d);
      const domain = await client.call<{ restEndpoint: string; restEndpointCA: string; kmipEndpoint?: string }>('GET', `/okms/resource/${okmsId}`);
      if (o.authMethod === 'token') {
        if (!o.user) throw new CliError('--auth-method token needs --user <login>: the IAM user the token speaks for', EXIT.usage);
        const body = { description: `okms.yaml (${o.name})`, ...(o.expiresIn ? { expiresInSeconds: parseDuration(o.expiresIn) } : {}) };
        const created = await client.call<{ id: string; token: string }>('POST', `/iam/user/${encodeURIComponent(o.user)}/token`, body);
        const dir = resolve(o.dir);
        mkdirSync(dir, { recursive: true });
        writePrivate(join(dir, 'token'), `${created.token}\n`);
        writeFileSync(join(dir, 'ca.pem'), domain.restEndpointCA);
        // okms.yaml holds the token itself (okms-cli reads auth.token): written 0600 like the key of a certificate.
        writePrivate(join(dir, 'okms.yaml'), okmsYaml(domain.restEndpoint, join(dir, 'ca.pem'), ['        type: token', `        token: ${created.token}`], okmsId));
        process.stdout.write(`token ${created.id} for ${o.user}: wrote token (0600), ca.pem and okms.yaml (0600) in ${dir}\n`);
        return;
      }
      if (!o.identity?.length) throw new CliError('give --identity <urn> (repeat for several), or --auth-method token --user <login>', EXIT.usage);
      const created = await client.call<{ id: string; certificatePEM: string; privateKeyPEM: string }>('POST', `/okms/resource/${okmsId}/credential`, { name: o.name, identityURNs: o.identity });
      const dir = resolve(o.dir);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'client.crt'), created.certificatePEM);
      writePrivate(join(dir, 'client.key'), created.privateKeyPEM);
      writeFileSync(join(dir, 'ca.pem'), domain.restEndpointCA);
      const kmip = domain.kmipEndpoint ? { endpoint: domain.kmipEndpoint, cert: join(dir, 'client.crt'), key: join(dir, 'client.key') } : undefined;
      writeFileSync(join(dir, 'okms.yaml'), okmsYaml(domain.restEndpoint, join(dir, 'ca.pem'), ['        type: mtls', `        cert: ${join(dir, 'client.crt')}`, `        key: ${join(dir, 'client.key')}`], okmsId, kmip));
      process.stdout.write(`credential ${created.id}: wrote client.crt, client.key (0600), ca.pem and okms.yaml${kmip ? ' (restapi and kmip)' : ''} in ${dir}\n`);
    });

  const key = program.command('key').description('service keys on the data plane (over mTLS)');
  mtlsOptions(key.command('create').description('create a service key'))
    .requiredOption('--name <name>', 'key name')
    .option('--type <type>', 'oct (default), RSA or EC', 'oct')
    .option('--size <bits>', 'oct 128/192/256, RSA 2048/3072/4096')
    .option('--curve <curve>', 'EC: P-256, P-384, P-521')
    .option('--usage <ops>', 'comma-separated operations')
    .action(async function (this: Command) {
      const o = this.opts<{ name: string; type: string; size?: string; curve?: string; usage?: string }>();
      const body = { name: o.name, type: o.type, ...(o.size ? { size: Number(o.size) } : {}), ...(o.curve ? { curve: o.curve } : {}), ...(o.usage ? { operations: o.usage.split(',') } : {}) };
      print(await dataPlane(this, 'POST', '/v1/servicekey', body), settingsOf(this).output, KEY_COLUMNS);
    });
  mtlsOptions(key.command('list').description('list service keys')).action(async function (this: Command) {
    const page = await dataPlane<{ objects_list: unknown[] }>(this, 'GET', '/v1/servicekey?state=all&max=1000');
    print(page.objects_list, settingsOf(this).output, KEY_COLUMNS);
  });
  mtlsOptions(key.command('encrypt <keyId> <data>').description('encrypt DATA (text, @file or - for stdin); prints the ciphertext'))
    .option('--context <aad>', 'context bound to the ciphertext')
    .action(async function (this: Command, keyId: string, value: string) {
      const context = this.opts<{ context?: string }>().context;
      const answer = await dataPlane<{ ciphertext: string }>(this, 'POST', `/v1/servicekey/${keyId}/encrypt`, { plaintext: data(value).toString('base64'), ...(context ? { context } : {}) });
      process.stdout.write(`${answer.ciphertext}\n`);
    });
  mtlsOptions(key.command('decrypt <keyId> <ciphertext>').description('decrypt; writes the plaintext bytes to stdout'))
    .option('--context <aad>', 'the context given at encryption')
    .action(async function (this: Command, keyId: string, ciphertext: string) {
      const context = this.opts<{ context?: string }>().context;
      const answer = await dataPlane<{ plaintext: string }>(this, 'POST', `/v1/servicekey/${keyId}/decrypt`, { ciphertext: data(ciphertext).toString().trim(), ...(context ? { context } : {}) });
      process.stdout.write(Buffer.from(answer.plaintext, 'base64'));
    });

  mtlsOptions(key.command('sign <keyId> <data>').description('sign DATA (text, @file or -); prints the base64 signature'))
    .requiredOption('-a, --alg <alg>', 'ES256, ES384, ES512, RS256…, PS256…')
    .action(async function (this: Command, keyId: string, value: string) {
      const alg = this.opts<{ alg: string }>().alg;
      const answer = await dataPlane<{ signature: string }>(this, 'POST', `/v1/servicekey/${keyId}/sign`, { message: data(value).toString('base64'), alg });
      process.stdout.write(`${answer.signature}\n`);
    });
  mtlsOptions(key.command('verify <keyId> <data> <signature>').description('verify a signature; exit 0 when valid, 6 when not'))
    .requiredOption('-a, --alg <alg>', 'the algorithm it was made with')
    .action(async function (this: Command, keyId: string, value: string, signature: string) {
      const alg = this.opts<{ alg: string }>().alg;
      const answer = await dataPlane<{ result: boolean }>(this, 'POST', `/v1/servicekey/${keyId}/verify`, { message: data(value).toString('base64'), signature, alg });
      process.stdout.write(answer.result ? 'valid\n' : 'invalid\n');
      if (!answer.result) process.exitCode = EXIT.invalid;
    });

  program
    .command('verify')
    .description('local checks')
    .command('cert <file>')
    .description('show what an access certificate says; with --key, check that the key belongs to it')
    .option('--key <file>', 'private key to match')
    .option('--ca <file>', 'CA that must have issued it')
    .action(function (this: Command, file: string) {
      const o = this.opts<{ key?: string; ca?: string }>();
      const pem = readFileSync(file, 'utf8');
      const claims = readAccessCertificate(pem, o.ca ? readFileSync(o.ca, 'utf8') : undefined);
      const certificate = new X509Certificate(pem);
      const keyMatches = o.key ? certificate.checkPrivateKey(createPrivateKey(readFileSync(o.key))) : undefined;
      print({ serial: claims.serial, okmsId: claims.okmsId, identities: claims.identityURNs.join(' '), notAfter: claims.notAfter.toISOString(), issuedByCa: claims.issuedBy, keyMatches }, settingsOf(this).output, ['serial', 'okmsId', 'identities', 'notAfter', 'issuedByCa', 'keyMatches']);
      if (claims.issuedBy === false || keyMatches === false) process.exitCode = EXIT.invalid;
    });
}
