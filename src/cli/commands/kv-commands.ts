import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, EXIT } from '../context';
import { print } from '../output';
import { settingsOf } from '../settings';
import { dataPlane, mtlsOptions } from './data-commands';

/** A secret's path in a URL: one segment, its slashes encoded (as okms-cli sends it); the user never escapes. */
const at = (path: string) => encodeURIComponent(path.replace(/^\/+|\/+$/g, ''));

/** `key=value` pairs, `@file.json` or `-` (JSON on stdin) → the version's data. */
function dataOf(pairs: readonly string[], from?: string): Record<string, unknown> {
  if (from !== undefined) {
    const text = from === '-' ? readFileSync(0, 'utf8') : readFileSync(from.replace(/^@/, ''), 'utf8');
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CliError('--data: must hold a JSON object', EXIT.usage);
    return parsed as Record<string, unknown>;
  }
  if (pairs.length === 0) throw new CliError('give key=value pairs, or --data @file.json (or - for stdin)', EXIT.usage);
  return Object.fromEntries(pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`"${pair}" is not key=value`, EXIT.usage);
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }));
}

const casQuery = (cas?: string) => {
  if (cas === undefined) return '';
  if (!/^\d{1,5}$/.test(cas)) throw new CliError('--cas: the version number the write replaces (0: only if new)', EXIT.usage);
  return `?cas=${cas}`;
};

/** okmsd secret kv get|put|list|versions|delete: the OKMS Secret Manager over the data plane (certificate or token). */
export function registerKvCommands(secret: Command): void {
  const kv = secret.command('kv').description('the OKMS Secret Manager (versioned secrets under paths) over the data plane: mTLS or a personal access token');
  mtlsOptions(kv.command('put <path> [pairs...]').description('write a new version (creating the secret if need be): key=value pairs, or --data @file.json'))
    .option('--data <source>', 'the data as JSON: @file or - for stdin')
    .option('--cas <version>', 'only if the current version is this one (0: only if the secret is new)')
    .action(async function (this: Command, path: string, pairs: string[]) {
      const o = this.opts<{ data?: string; cas?: string }>();
      const data = dataOf(pairs, o.data);
      const exists = await dataPlane(this, 'GET', `/v2/secret/${at(path)}`).then(() => true, (error: CliError) => {
        if (error.exitCode === EXIT.notFound) return false;
        throw error;
      });
      const written = exists
        ? await dataPlane<{ id: number; state: string; createdAt: string }>(this, 'POST', `/v2/secret/${at(path)}/version${casQuery(o.cas)}`, { data })
        : await dataPlane<{ metadata: { currentVersion: number; createdAt: string } }>(this, 'POST', '/v2/secret', { path, version: { data } }).then((r) => ({ id: r.metadata.currentVersion, state: 'active', createdAt: r.metadata.createdAt }));
      print({ path, version: written.id, state: written.state, createdAt: written.createdAt }, settingsOf(this).output, ['path', 'version', 'state', 'createdAt']);
    });
  mtlsOptions(kv.command('get <path>').description("print a version's data (the current one by default) as JSON, or one --field"))
    .option('--version <n>', 'this version')
    .option('--field <key>', 'print only this key, as it is')
    .action(async function (this: Command, path: string) {
      const o = this.opts<{ version?: string; field?: string }>();
      if (o.version !== undefined && !/^\d{1,5}$/.test(o.version)) throw new CliError('--version: a version number', EXIT.usage);
      const got = await dataPlane<{ version?: { id: number; state: string; data?: Record<string, unknown> | null } }>(this, 'GET', `/v2/secret/${at(path)}?includeData=true${o.version ? `&version=${o.version}` : ''}`);
      const data = got.version?.data;
      if (!data) throw new CliError(`${path}: version ${got.version?.id ?? '-'} is ${got.version?.state ?? 'absent'}: no data to show`, EXIT.notFound);
      if (o.field !== undefined) {
        if (!(o.field in data)) throw new CliError(`${path}: no field "${o.field}"`, EXIT.notFound);
        const value = data[o.field];
        process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
        return;
      }
      process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    });
  mtlsOptions(kv.command('list').description('list every secret (path, current version), all pages'))
    .option('--prefix <prefix>', 'only paths that start with this')
    .action(async function (this: Command) {
      const prefix = this.opts<{ prefix?: string }>().prefix ?? '';
      const rows: Array<{ path: string; currentVersion: number; updatedAt: string }> = [];
      let cursor: string | undefined;
      do {
        const page = await dataPlane<Array<{ path: string; metadata: { currentVersion: number; updatedAt: string } }> & { headers: Record<string, string | undefined> }>(
          this, 'GET', '/v2/secret', undefined, { 'x-pagination-size': '100', ...(cursor ? { 'x-pagination-cursor': cursor } : {}) },
        );
        rows.push(...page.filter((s) => s.path.startsWith(prefix)).map((s) => ({ path: s.path, currentVersion: s.metadata.currentVersion, updatedAt: s.metadata.updatedAt })));
        cursor = page.headers['x-pagination-cursor-next'];
      } while (cursor);
      print(rows, settingsOf(this).output, ['path', 'currentVersion', 'updatedAt']);
    });
  mtlsOptions(kv.command('versions <path>').description("a secret's versions and their states")).action(async function (this: Command, path: string) {
    const versions = await dataPlane<Array<{ id: number; state: string; createdAt: string; deactivatedAt?: string }>>(this, 'GET', `/v2/secret/${at(path)}/version`);
    print([...versions].map(({ id, state, createdAt, deactivatedAt }) => ({ version: id, state, createdAt, deactivatedAt: deactivatedAt ?? '' })), settingsOf(this).output, ['version', 'state', 'createdAt', 'deactivatedAt']);
  });
  mtlsOptions(kv.command('delete <path>').description('delete a secret and all its versions')).action(async function (this: Command, path: string) {
    await dataPlane(this, 'DELETE', `/v2/secret/${at(path)}`);
    process.stdout.write(`deleted ${path}\n`);
  });
}
