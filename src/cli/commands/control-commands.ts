import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT, saveProfile, type GlobalOptions } from '../context';
import { settingsOf } from '../settings';
import { print } from '../output';
import { registerIamCommands } from './iam-commands';

const DOMAIN_COLUMNS = ['id', 'name', 'region', 'restEndpoint', 'createdAt'];
const CREDENTIAL_COLUMNS = ['id', 'name', 'status', 'certificateType', 'fromCSR', 'expiredAt'];

export function requireDomain(domain: string | undefined): string {
  if (!domain) throw new CliError('no domain: pass --domain, set OKMSD_DOMAIN, or save one with `okmsd profile set --domain …`', EXIT.usage);
  return domain;
}

/** A CSR file as the API takes it: PEM text as is, DER as base64 (no newline editing, ever). */
const csrField = (file: Buffer): string => (file[0] === 0x30 ? file.toString('base64') : file.toString('utf8'));

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Writes a file only its owner may read (private keys, tokens). */
export function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}

export function registerControlCommands(program: Command): void {
  program
    .command('profile')
    .description('save connection settings in a named profile (~/.config/okmsd/config.json)')
    .command('set')
    .description('set --url, --token and/or --domain of a profile (default: "default")')
    .option('--name <profile>', 'profile name', 'default')
    .action(function (this: Command) {
      const { url, token, domain } = this.optsWithGlobals<GlobalOptions>();
      const file = saveProfile(this.opts<{ name: string }>().name, { ...(url ? { url } : {}), ...(token ? { token } : {}), ...(domain ? { domain } : {}) });
      process.stdout.write(`saved to ${file}\n`);
    });

  const domain = program.command('domain').description('domains (OKMS resources) and their CAs');
  domain
    .command('create')
    .description('create a domain with its own issuing CA')
    .requiredOption('--name <name>', 'display name')
    .option('--region <region>', 'region label, e.g. eu-west-rbx')
    .option('--ca-key <curve>', 'CA key: P-256 or P-384')
    .action(async function (this: Command) {
      const { client, output } = settingsOf(this);
      const o = this.opts<{ name: string; region?: string; caKey?: string }>();
      const body = { name: o.name, ...(o.region ? { region: o.region } : {}), ...(o.caKey ? { caKeyAlgorithm: o.caKey } : {}) };
      print(await client.call('POST', '/okms/resource', body), output, DOMAIN_COLUMNS);
    });
  domain.command('list').description("list the account's domains").action(async function (this: Command) {
    const { client, output } = settingsOf(this);
    print(await client.call('GET', '/okms/resource?limit=1000'), output, DOMAIN_COLUMNS);
  });
  domain.command('get <okmsId>').description('show a domain').action(async function (this: Command, okmsId: string) {
    const { client, output } = settingsOf(this);
    print(await client.call('GET', `/okms/resource/${encodeURIComponent(okmsId)}`), output, DOMAIN_COLUMNS);
  });
  domain
    .command('rotate-ca <okmsId>')
    .description('CA rotation: stage a successor CA (trusted beside the current one), then --switch to it once relying parties have it')
    .option('--switch', 'switch to the staged successor: it issues from now on; the old CA stays trusted for the overlap')
    .option('--overlap-seconds <n>', 'with --switch: how long the old CA stays trusted (default 30 days)')
    .action(async function (this: Command, okmsId: string) {
      const { client, output } = settingsOf(this);
      const o = this.opts<{ switch?: boolean; overlapSeconds?: string }>();
      const path = `/okms/resource/${encodeURIComponent(okmsId)}/ca/${o.switch ? 'switch' : 'rotate'}`;
      if (o.overlapSeconds !== undefined && !/^\d{1,9}$/.test(o.overlapSeconds)) throw new CliError('--overlap-seconds: a whole number of seconds', EXIT.usage);
      const body = o.switch && o.overlapSeconds !== undefined ? { overlapSeconds: Number(o.overlapSeconds) } : o.switch ? {} : undefined;
      print(await client.call('POST', path, body), output, DOMAIN_COLUMNS);
    });
  domain
    .command('revoke-server-cert <okmsId> <serial>')
    .description("revoke a TLS server certificate of the domain (a Barbican order's): its server CA's CRL and OCSP say so")
    .option('--reason <reason>', 'keyCompromise, affiliationChanged, superseded, cessationOfOperation (default) or privilegeWithdrawn')
    .action(async function (this: Command, okmsId: string, serial: string) {
      const { client, output } = settingsOf(this);
      const o = this.opts<{ reason?: string }>();
      // openssl and browsers print serials with colons: accept them as they are copied.
      const hex = serial.replace(/:/g, '').toLowerCase();
      const path = `/okms/resource/${encodeURIComponent(okmsId)}/server-certificate/${encodeURIComponent(hex)}/revoke`;
      print(await client.call('POST', path, o.reason === undefined ? {} : { reason: o.reason }), output, ['serial', 'revokedAt', 'reason']);
    });

  const credential = program.command('credential').description('access credentials (mTLS client certificates)');
  credential
    .command('create')
    .description('issue a credential: server-generated key, or your CSR file as it is')
    .requiredOption('--name <name>', 'credential name')
    .requiredOption('--identity <urn>', 'identity URN (repeat for several)', collect)
    .option('--description <text>', 'description')
    .option('--csr <file>', 'PKCS#10 request file (PEM or DER); the key then stays with you')
    .option('--type <type>', 'ECDSA (default) or RSA')
    .option('--validity <days>', 'validity in days (default 365)')
    .option('--out-cert <file>', 'write the certificate here')
    .option('--out-key <file>', 'write the private key here (mode 0600)')
    .option('--print-key', 'print the private key in the output (it is shown only this once)')
    .action(async function (this: Command) {
      const { client, output, domain: d } = settingsOf(this);
      const o = this.opts<{ name: string; identity: string[]; description?: string; csr?: string; type?: string; validity?: string; outCert?: string; outKey?: string; printKey?: boolean }>();
      if (o.validity !== undefined && !/^\d+$/.test(o.validity)) throw new CliError('--validity must be a number of days', EXIT.usage);
      const body = {
        name: o.name,
        identityURNs: o.identity,
        ...(o.description ? { description: o.description } : {}),
        ...(o.type ? { certificateType: o.type.toUpperCase() } : {}),
        ...(o.validity ? { validity: Number(o.validity) } : {}),
        ...(o.csr ? { csr: csrField(readFileSync(o.csr)) } : {}),
      };
      const created = await client.call<Record<string, unknown>>('POST', `/okms/resource/${requireDomain(d)}/credential`, body);
      if (o.outCert) writeFileSync(o.outCert, String(created.certificatePEM));
      if (o.outKey && created.privateKeyPEM) writePrivate(o.outKey, String(created.privateKeyPEM));
      if (created.privateKeyPEM && !o.outKey && !o.printKey) {
        process.stderr.write('note: the private key was generated by the server and is not stored; pass --out-key FILE (or --print-key) to keep it\n');
      }
      if (!o.printKey) delete created.privateKeyPEM;
      print(created, output, CREDENTIAL_COLUMNS);
    });
  credential
    .command('list')
    .description("list all of a domain's credentials (every page; progress on stderr)")
    .option('--page-size <n>', 'credentials per request', '500')
    .action(async function (this: Command) {
      const { client, output, domain: d } = settingsOf(this);
      const size = this.opts<{ pageSize: string }>().pageSize;
      const all = await client.listAll(`/okms/resource/${requireDomain(d)}/credential?limit=${encodeURIComponent(size)}`, (count) => {
        process.stderr.write(`\rfetched ${count} credentials…`);
      });
      if (all.length > Number(size)) process.stderr.write('\n');
      print(all, output, CREDENTIAL_COLUMNS);
    });
  credential
    .command('get <credentialId>')
    .description('show a credential; --out-cert writes its certificate')
    .option('--out-cert <file>', 'write the certificate here')
    .action(async function (this: Command, id: string) {
      const { client, output, domain: d } = settingsOf(this);
      const found = await client.call<Record<string, unknown>>('GET', `/okms/resource/${requireDomain(d)}/credential/${encodeURIComponent(id)}`);
      const outCert = this.opts<{ outCert?: string }>().outCert;
      if (outCert) writeFileSync(outCert, String(found.certificatePEM));
      print(found, output, CREDENTIAL_COLUMNS);
    });
  credential
    .command('renew <credentialId>')
    .description('issue a successor with the same name, identities and type (a new key, or --csr); the old one is revoked at once, or after --overlap')
    .option('--csr <file>', 'CSR for the new certificate (required for a credential issued from a CSR)')
    .option('--validity <days>', 'validity in days (default 365)')
    .option('--overlap <seconds>', 'keep the old credential valid this long beside the new one (default 0)', '0')
    .option('--out-cert <file>', 'write the new certificate here')
    .option('--out-key <file>', 'write the new private key here (mode 0600)')
    .action(async function (this: Command, id: string) {
      const { client, output, domain: d } = settingsOf(this);
      const o = this.opts<{ csr?: string; validity?: string; overlap: string; outCert?: string; outKey?: string }>();
      if (!/^\d+$/.test(o.overlap)) throw new CliError('--overlap takes whole seconds', EXIT.usage);
      const base = `/okms/resource/${requireDomain(d)}/credential`;
      const created = await client.call<Record<string, unknown>>('POST', `${base}/${encodeURIComponent(id)}/renew`, {
        overlapSeconds: Number(o.overlap), ...(o.validity ? { validity: Number(o.validity) } : {}), ...(o.csr ? { csr: csrField(readFileSync(o.csr)) } : {}),
      });
      if (o.outCert) writeFileSync(o.outCert, String(created.certificatePEM));
      if (o.outKey && created.privateKeyPEM) writePrivate(o.outKey, String(created.privateKeyPEM));
      delete created.privateKeyPEM;
      print(created, output, CREDENTIAL_COLUMNS);
      const revokeAt = created.predecessorRevokeAt as string | null;
      process.stderr.write(revokeAt ? `renewed ${id} as ${String(created.id)}; the old credential is revoked at ${revokeAt}\n` : `renewed ${id} as ${String(created.id)}; the old credential is revoked\n`);
    });
  credential.command('delete <credentialId>').description('revoke a credential at once').action(async function (this: Command, id: string) {
    const { client, domain: d } = settingsOf(this);
    await client.call('DELETE', `/okms/resource/${requireDomain(d)}/credential/${encodeURIComponent(id)}`);
    process.stdout.write(`revoked ${id}\n`);
  });

  const audit = program.command('audit').description('the hash-chained audit log');
  audit.command('verify').description('recompute the chain; exit 1 if it is broken').action(async function (this: Command) {
    const { client, output } = settingsOf(this);
    const verdict = await client.call<{ intact: boolean; entries: number; firstBroken?: { seq: number; problem: string }; checkpoint?: { seq: number; time: string } }>('POST', '/audit/verify');
    const from = verdict.checkpoint ? ` after the checkpoint at entry ${verdict.checkpoint.seq} (${verdict.checkpoint.time})` : '';
    if (output === 'json') print(verdict, output, []);
    else process.stdout.write(verdict.intact ? `intact: ${verdict.entries} entries${from}\n` : `BROKEN at entry ${verdict.firstBroken!.seq}: ${verdict.firstBroken!.problem}\n`);
    if (!verdict.intact) process.exitCode = EXIT.failure;
  });
  audit
    .command('prune')
    .description('remove the records made before a time (never the newest), keeping a signed checkpoint that verify starts from')
    .requiredOption('--before <time>', 'an ISO 8601 date or time, e.g. 2026-01-01 or 2026-01-01T00:00:00Z')
    .action(async function (this: Command) {
      const { client, output } = settingsOf(this);
      const raw = this.opts<{ before: string }>().before;
      const before = new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
      if (Number.isNaN(before.getTime())) throw new CliError(`--before: "${raw}" is not an ISO 8601 date or time`, EXIT.usage);
      const result = await client.call<{ pruned: number; checkpoint?: { seq: number; time: string } }>('POST', '/audit/prune', { before: before.toISOString() });
      if (output === 'json') print(result, output, []);
      else process.stdout.write(`pruned ${result.pruned} entries${result.checkpoint ? `; checkpoint at entry ${result.checkpoint.seq} (${result.checkpoint.time})` : ''}\n`);
    });

  const iam = program.command('iam').description('IAM: users, groups, service accounts, policies, explain');
  registerIamCommands(iam);
  iam
    .command('explain')
    .description('would this credential be allowed this action, and why?')
    .requiredOption('--credential <id>', 'credential id')
    .requiredOption('--action <action>', 'e.g. okms:apikms:serviceKey/encrypt')
    .option('--resource <urn>', 'resource URN (default: the domain)')
    .action(async function (this: Command) {
      const { client, output, domain: d } = settingsOf(this);
      const o = this.opts<{ credential: string; action: string; resource?: string }>();
      const answer = await client.call<Record<string, unknown>>('POST', '/iam/explain', { okmsId: requireDomain(d), credentialId: o.credential, action: o.action, ...(o.resource ? { resource: o.resource } : {}) });
      print(answer, output, ['allowed', 'reason', 'action', 'resource']);
      if (!answer.allowed) process.exitCode = EXIT.auth;
    });
}
