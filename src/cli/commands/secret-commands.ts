import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BarbicanClient } from '../barbican-client';
import { CliError, EXIT, resolveSettings, type GlobalOptions } from '../context';
import { print } from '../output';

const SECRET_COLUMNS = ['secret_ref', 'name', 'secret_type', 'content_types', 'created', 'expiration'];
const CONTAINER_COLUMNS = ['container_ref', 'name', 'type', 'secret_refs', 'consumers'];
const ORDER_COLUMNS = ['order_ref', 'type', 'status', 'container_ref', 'secret_ref', 'error_reason'];
/** What a file of each secret type is stored as: certificates and keys keep their exact bytes (PEM or DER). */
const CONTENT_TYPE: Record<string, string> = {
  certificate: 'application/pkix-cert', private: 'application/pkcs8', public: 'application/octet-stream',
  symmetric: 'application/octet-stream', opaque: 'application/octet-stream', passphrase: 'text/plain',
};

interface KeystoneOptions { user?: string; password?: string; project?: string; userDomain?: string }

function barbicanOf(command: Command): { client: BarbicanClient; output: 'table' | 'json' } {
  const settings = resolveSettings(command.optsWithGlobals<GlobalOptions>());
  const o = command.optsWithGlobals<KeystoneOptions>();
  const user = o.user ?? process.env.OS_USERNAME;
  const password = o.password ?? process.env.OKMSD_PASSWORD ?? process.env.OS_PASSWORD;
  const project = o.project ?? process.env.OS_PROJECT_NAME ?? process.env.OS_PROJECT_ID ?? settings.domain;
  if (!user || !password || !project) {
    throw new CliError('secret commands log in as an IAM user: pass --user and --project (or OS_USERNAME, OS_PROJECT_NAME) and the password in OKMSD_PASSWORD or OS_PASSWORD', EXIT.usage);
  }
  return { client: new BarbicanClient(settings.url, { user, password, project, userDomain: o.userDomain ?? process.env.OS_USER_DOMAIN_NAME ?? 'Default' }), output: settings.output };
}

/** A ref or a bare id, as python-barbicanclient accepts them: only the trailing UUID counts. */
const idOf = (ref: string) => ref.replace(/\/+$/, '').split('/').pop()!;

export function registerSecretCommands(program: Command): void {
  const secret = program
    .command('secret')
    .description('Barbican-compatible secrets, containers and orders (logs in as an IAM user with a password)')
    .option('--user <login>', 'IAM user (env OS_USERNAME)')
    .option('--password <password>', 'password (prefer env OKMSD_PASSWORD or OS_PASSWORD)')
    .option('--project <domain>', 'domain name or id (env OS_PROJECT_NAME, else --domain)')
    .option('--user-domain <name>', 'Default (the root account) or an account id (env OS_USER_DOMAIN_NAME)');

  secret
    .command('store')
    .description('store a file (certificate, key, chain, anything) byte for byte; prints the secret')
    .requiredOption('--file <path>', 'what to store (PEM or DER, binary is fine)')
    .option('--name <name>', 'a name to find it by')
    .option('--type <secretType>', 'certificate, private, public, symmetric, passphrase or opaque', 'opaque')
    .option('--expiration <iso>', 'hide the secret after this time')
    .action(async function (this: Command) {
      const { client, output } = barbicanOf(this);
      const o = this.opts<{ file: string; name?: string; type: string; expiration?: string }>();
      const contentType = CONTENT_TYPE[o.type];
      if (!contentType) throw new CliError(`--type must be one of ${Object.keys(CONTENT_TYPE).join(', ')}`, EXIT.usage);
      const bytes = readFileSync(o.file);
      const body = {
        ...(o.name ? { name: o.name } : {}), secret_type: o.type, ...(o.expiration ? { expiration: o.expiration } : {}), payload_content_type: contentType,
        ...(contentType === 'text/plain' ? { payload: bytes.toString('utf8') } : { payload: bytes.toString('base64'), payload_content_encoding: 'base64' }),
      };
      const { secret_ref } = await client.json<{ secret_ref: string }>('POST', '/v1/secrets', body);
      print(await client.json('GET', `/v1/secrets/${idOf(secret_ref)}`), output, SECRET_COLUMNS);
    });
  secret.command('list').description("list the project's secrets").option('--name <name>', 'only this name').action(async function (this: Command) {
    const { client, output } = barbicanOf(this);
    const name = this.opts<{ name?: string }>().name;
    const all: unknown[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await client.json<{ secrets: unknown[]; total: number }>('GET', `/v1/secrets?limit=100&offset=${offset}${name ? `&name=${encodeURIComponent(name)}` : ''}`);
      all.push(...page.secrets);
      if (offset + 100 >= page.total) break;
    }
    print(all, output, SECRET_COLUMNS);
  });
  secret
    .command('get <ref>')
    .description("a secret's metadata; with --out, its payload written byte for byte (private material: mode 0600)")
    .option('--out <path>', 'write the payload here')
    .action(async function (this: Command, ref: string) {
      const { client, output } = barbicanOf(this);
      const out = this.opts<{ out?: string }>().out;
      const meta = await client.json<Record<string, unknown>>('GET', `/v1/secrets/${idOf(ref)}`);
      if (out) {
        const payload = await client.raw(`/v1/secrets/${idOf(ref)}/payload`, '*/*');
        writeFileSync(out, payload.body, { mode: meta.secret_type === 'certificate' || meta.secret_type === 'public' ? 0o644 : 0o600 });
        process.stderr.write(`wrote ${payload.body.length} bytes to ${out}\n`);
      }
      print(meta, output, SECRET_COLUMNS);
    });
  secret.command('delete <ref>').description('delete a secret (refused while a container holding it has consumers, unless --force)').option('--force', 'delete even so (audited)').action(async function (this: Command, ref: string) {
    const { client } = barbicanOf(this);
    await client.json('DELETE', `/v1/secrets/${idOf(ref)}${this.opts<{ force?: boolean }>().force ? '?force=true' : ''}`);
  });

  const container = secret.command('container').description('certificate, rsa and generic containers');
  container
    .command('create')
    .description('bundle secrets: --secret certificate=<ref> --secret private_key=<ref> ...')
    .requiredOption('--type <type>', 'certificate, rsa or generic')
    .option('--name <name>', 'a name')
    .option('--secret <name=ref>', 'a secret to include (repeat)', (value: string, previous: string[] = []) => [...previous, value])
    .action(async function (this: Command) {
      const { client, output } = barbicanOf(this);
      const o = this.opts<{ type: string; name?: string; secret?: string[] }>();
      const secret_refs = (o.secret ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0) throw new CliError(`--secret ${pair}: expected name=ref`, EXIT.usage);
        return { name: pair.slice(0, at), secret_ref: pair.slice(at + 1) };
      });
      const { container_ref } = await client.json<{ container_ref: string }>('POST', '/v1/containers', { type: o.type, ...(o.name ? { name: o.name } : {}), secret_refs });
      print(await client.json('GET', `/v1/containers/${idOf(container_ref)}`), output, CONTAINER_COLUMNS);
    });
  container.command('get <ref>').description('show a container').action(async function (this: Command, ref: string) {
    const { client, output } = barbicanOf(this);
    print(await client.json('GET', `/v1/containers/${idOf(ref)}`), output, CONTAINER_COLUMNS);
  });
  container.command('list').description("list the project's containers").action(async function (this: Command) {
    const { client, output } = barbicanOf(this);
    print((await client.json<{ containers: unknown[] }>('GET', '/v1/containers?limit=100')).containers, output, CONTAINER_COLUMNS);
  });
  container.command('delete <ref>').description('delete a container (refused while consumers are registered, unless --force)').option('--force', 'delete even so (audited)').action(async function (this: Command, ref: string) {
    const { client } = barbicanOf(this);
    await client.json('DELETE', `/v1/containers/${idOf(ref)}${this.opts<{ force?: boolean }>().force ? '?force=true' : ''}`);
  });

  const order = secret.command('order').description('orders fulfilled by the domain CA');
  order
    .command('certificate')
    .description('order a TLS server certificate; prints the finished order (its container holds certificate, key and chain)')
    .requiredOption('--subject-dn <dn>', 'e.g. "cn=lb.example.com,o=Example"')
    .option('--csr <file>', 'your own CSR (the key stays with you)')
    .option('--algorithm <rsa|ec>', 'key type of a server-made key')
    .option('--bit-length <bits>', 'key size (RSA 2048+, EC 256/384)')
    .action(async function (this: Command) {
      const { client, output } = barbicanOf(this);
      const o = this.opts<{ subjectDn: string; csr?: string; algorithm?: string; bitLength?: string }>();
      const meta = {
        subject_dn: o.subjectDn, ...(o.csr ? { request_type: 'simple-cmc', request_data: readFileSync(o.csr, 'utf8') } : {}),
        ...(o.algorithm ? { algorithm: o.algorithm } : {}), ...(o.bitLength ? { bit_length: Number(o.bitLength) } : {}),
      };
      const { order_ref } = await client.json<{ order_ref: string }>('POST', '/v1/orders', { type: 'certificate', meta });
      const done = await client.json<Record<string, unknown>>('GET', `/v1/orders/${idOf(order_ref)}`);
      print(done, output, ORDER_COLUMNS);
      if (done.status === 'ERROR') process.exitCode = EXIT.invalid;
    });
  order.command('get <ref>').description('show an order').action(async function (this: Command, ref: string) {
    const { client, output } = barbicanOf(this);
    print(await client.json('GET', `/v1/orders/${idOf(ref)}`), output, ORDER_COLUMNS);
  });
}
