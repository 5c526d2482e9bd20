import type { Command } from 'commander';
import { CliError, EXIT } from '../context';
import { print } from '../output';
import { writePrivate } from './control-commands';
import { settingsOf } from '../settings';

const TOKEN_COLUMNS = ['id', 'description', 'createdAt', 'expiresAt', 'current'];
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90d`, `12h`, `30m`, `3600` or `3600s` → seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!match) throw new CliError(`--expires-in: "${text}" is not a duration (e.g. 3600, 30m, 12h, 90d)`, EXIT.usage);
  return Number(match[1]) * UNITS[match[2] || 's']!;
}

/** okmsd token create|list|revoke: the admin tokens of the caller's account. */
export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description("admin tokens of your account: create (shown once), list, revoke");
  token
    .command('create')
    .description('create an admin token; it is printed once (or written to --out, mode 0600) and stored only as a hash')
    .option('--description <text>', 'what the token is for')
    .option('--expires-in <duration>', 'lifetime: seconds, or 30m, 12h, 90d')
    .option('--out <file>', 'write the token to this file (mode 0600) instead of printing it')
    .action(async function (this: Command) {
      const { client, output } = settingsOf(this);
      const o = this.opts<{ description?: string; expiresIn?: string; out?: string }>();
      const body = { ...(o.description ? { description: o.description } : {}), ...(o.expiresIn ? { expiresInSeconds: parseDuration(o.expiresIn) } : {}) };
      const created = await client.call<{ id: string; token: string; expiresAt: string | null }>('POST', '/token', body);
      if (o.out) {
        writePrivate(o.out, `${created.token}\n`);
        const { token: _secret, ...shown } = created;
        print({ ...shown, file: o.out }, output, ['id', 'expiresAt', 'file']);
        return;
      }
      print(created, output, ['id', 'expiresAt', 'token']);
    });
  token.command('list').description("list the account's tokens (never their secrets)").action(async function (this: Command) {
    const { client, output } = settingsOf(this);
    print(await client.call('GET', '/token'), output, TOKEN_COLUMNS);
  });
  token
    .command('revoke <tokenId>')
    .description('revoke a token: refused from the next call on, on every node')
    .action(async function (this: Command, tokenId: string) {
      const { client } = settingsOf(this);
      await client.call('DELETE', `/token/${encodeURIComponent(tokenId)}`);
      process.stdout.write(`revoked ${tokenId}\n`);
    });
}

/** okmsd iam token create|list|revoke: personal access tokens of users and service accounts, for the data plane. */
export function registerIamTokenCommands(iam: Command): void {
  const token = iam.command('token').description('personal access tokens of IAM users and service accounts (data plane: Bearer / X-Vault-Token)');
  const subjectPath = (o: { user?: string; serviceAccount?: string }) => {
    if ((o.user === undefined) === (o.serviceAccount === undefined)) throw new CliError('give exactly one of --user <login> or --service-account <id>', EXIT.usage);
    return o.user !== undefined ? `/iam/user/${encodeURIComponent(o.user)}/token` : `/iam/serviceAccount/${encodeURIComponent(o.serviceAccount!)}/token`;
  };
  const whom = (c: Command) => c.option('--user <login>', 'the IAM user the token speaks for').option('--service-account <id>', 'the service account the token speaks for');
  whom(token.command('create').description('create a token; printed once (or written to --out, mode 0600), stored only as a hash'))
    .option('--description <text>', 'what the token is for')
    .option('--expires-in <duration>', 'lifetime: seconds, or 30m, 12h, 90d (default: no expiry, as OKMS)')
    .option('--out <file>', 'write the token to this file (mode 0600) instead of printing it')
    .action(async function (this: Command) {
      const { client, output } = settingsOf(this);
      const o = this.opts<{ user?: string; serviceAccount?: string; description?: string; expiresIn?: string; out?: string }>();
      const path = subjectPath(o);
      const body = { ...(o.description ? { description: o.description } : {}), ...(o.expiresIn ? { expiresInSeconds: parseDuration(o.expiresIn) } : {}) };
      const created = await client.call<{ id: string; token: string; expiresAt: string | null }>('POST', path, body);
      if (o.out) {
        writePrivate(o.out, `${created.token}\n`);
        const { token: _secret, ...shown } = created;
        print({ ...shown, file: o.out }, output, ['id', 'identityURN', 'expiresAt', 'file']);
        return;
      }
      print(created, output, ['id', 'identityURN', 'expiresAt', 'token']);
    });
  whom(token.command('list').description("list a user's or service account's tokens (never their secrets)")).action(async function (this: Command) {
    const { client, output } = settingsOf(this);
    print(await client.call('GET', subjectPath(this.opts())), output, ['id', 'description', 'createdAt', 'expiresAt', 'identityURN']);
  });
  whom(token.command('revoke <tokenId>').description('revoke a token: refused from the next call on, on every node')).action(async function (this: Command, tokenId: string) {
    const { client } = settingsOf(this);
    await client.call('DELETE', `${subjectPath(this.opts())}/${encodeURIComponent(tokenId)}`);
    process.stdout.write(`revoked ${tokenId}\n`);
  });
}
