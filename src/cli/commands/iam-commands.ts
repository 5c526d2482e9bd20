import type { Command } from 'commander';
import { CliError, EXIT } from '../context';
import { settingsOf } from '../settings';
import { print } from '../output';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface KindCli {
  readonly name: string;
  readonly path: string;
  readonly idArg: string;
  readonly columns: readonly string[];
  /** Options shared by create and update, and how they become the request body. */
  options(command: Command): Command;
  body(options: Record<string, unknown>, creating: boolean): Record<string, unknown>;
}

const KINDS: readonly KindCli[] = [
  {
    name: 'user', path: '/iam/user', idArg: 'login', columns: ['login', 'urn', 'email', 'group', 'description'],
    options: (c) => c.option('--email <email>').option('--description <text>').option('--group <name>').option('--password <password>', 'for later token logins (stored hashed)'),
    body: (o, creating) => ({ ...(creating ? { login: o.id } : {}), ...pick(o, ['email', 'description', 'group', 'password']) }),
  },
  {
    name: 'group', path: '/iam/group', idArg: 'name', columns: ['name', 'urn', 'members', 'description'],
    options: (c) => c.option('--description <text>').option('--member <urn>', 'member URN (repeat)', collect),
    body: (o, creating) => ({ ...(creating ? { name: o.id } : {}), ...pick(o, ['description']), ...(o.member ? { members: o.member } : {}) }),
  },
  {
    name: 'service-account', path: '/iam/serviceAccount', idArg: 'id', columns: ['id', 'urn', 'name', 'description'],
    options: (c) => c.option('--display-name <name>').option('--description <text>'),
    body: (o, creating) => ({ ...(creating && o.id ? { id: o.id } : {}), ...(o.displayName ? { name: o.displayName } : {}), ...pick(o, ['description']) }),
  },
  {
    name: 'policy', path: '/iam/policy', idArg: 'id', columns: ['id', 'name', 'identities', 'resources', 'permissions'],
    options: (c) =>
      c.option('--name <name>').option('--description <text>').option('--identity <urn>', 'identity URN (repeat)', collect)
        .option('--resource <urn>', 'resource URN, * allowed (repeat)', collect).option('--allow <action>', 'allowed action (repeat)', collect)
        .option('--except <action>', 'excepted action (repeat)', collect).option('--deny <action>', 'denied action (repeat)', collect),
    body: (o) => ({
      name: o.name, ...pick(o, ['description']), identities: o.identity ?? [], resources: ((o.resource as string[]) ?? []).map((urn) => ({ urn })),
      permissions: { allow: actions(o.allow), except: actions(o.except), deny: actions(o.deny) },
    }),
  },
];

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
const actions = (list: unknown) => ((list as string[] | undefined) ?? []).map((action) => ({ action }));

/** okmsd iam user|group|service-account|policy create|list|get|update|delete — the /iam API, one verb each. */
export function registerIamCommands(iam: Command): void {
  for (const kind of KINDS) {
    const group = iam.command(kind.name).description(`IAM ${kind.name}s`);
    const optional = kind.name === 'service-account' || kind.name === 'policy';
    kind.options(group.command(`create${optional ? ` [${kind.idArg}]` : ` <${kind.idArg}>`}`).description(`create a ${kind.name}`))
      .action(async function (this: Command, id?: string) {
        const { client, output } = settingsOf(this);
        const o: Record<string, unknown> = { ...this.opts(), id };
        if (kind.name === 'policy' && !o.name) throw new CliError('--name is required for a policy', EXIT.usage);
        print(await client.call('POST', kind.path, kind.body(o, true)), output, kind.columns);
      });
    group.command('list').description(`list ${kind.name}s`).action(async function (this: Command) {
      const { client, output } = settingsOf(this);
      print(await client.call('GET', `${kind.path}?limit=1000`), output, kind.columns);
    });
    group.command(`get <${kind.idArg}>`).description(`show a ${kind.name}`).action(async function (this: Command, id: string) {
      const { client, output } = settingsOf(this);
      print(await client.call('GET', `${kind.path}/${encodeURIComponent(id)}`), output, kind.columns);
    });
    kind.options(group.command(`update <${kind.idArg}>`).description(`update a ${kind.name}`)).action(async function (this: Command, id: string) {
      const { client, output } = settingsOf(this);
      print(await client.call('PUT', `${kind.path}/${encodeURIComponent(id)}`, kind.body({ ...this.opts(), id }, false)), output, kind.columns);
    });
    group.command(`delete <${kind.idArg}>`).description(`delete a ${kind.name} (takes effect on the next call)`).action(async function (this: Command, id: string) {
      const { client } = settingsOf(this);
      await client.call('DELETE', `${kind.path}/${encodeURIComponent(id)}`);
      process.stdout.write(`deleted ${kind.name} ${id}\n`);
    });
  }
}

