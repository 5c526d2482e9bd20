import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Exit codes: scripts can tell a usage slip from a refused token from a missing domain. */
export const EXIT = { ok: 0, failure: 1, usage: 2, auth: 3, notFound: 4, conflict: 5, invalid: 6 } as const;

/** The exit code for a refused HTTP call: 3 refused, 4 not found, 5 conflict, 6 invalid input, 1 server failure. */
export function exitCodeFor(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  return status < 500 ? EXIT.invalid : EXIT.failure;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Profile {
  url?: string;
  token?: string;
  domain?: string;
}

interface ConfigFile {
  profile?: string;
  profiles?: Record<string, Profile>;
}

export function configFilePath(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'okmsd', 'config.json');
}

function readConfigFile(): ConfigFile {
  const file = configFilePath();
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ConfigFile;
  } catch {
    throw new CliError(`${file} is not valid JSON`);
  }
}

export function saveProfile(name: string, profile: Profile): string {
  const file = configFilePath();
  const config = readConfigFile();
  config.profiles = { ...config.profiles, [name]: { ...config.profiles?.[name], ...profile } };
  config.profile ??= name;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return file;
}

export interface GlobalOptions {
  url?: string;
  token?: string;
  domain?: string;
  profile?: string;
  output?: 'table' | 'json';
  debug?: boolean;
}

/** Flags win over environment, which wins over the profile, which wins over defaults (as okms-cli does). */
export function resolveSettings(options: GlobalOptions): Required<Pick<Profile, 'url'>> & Profile & { output: 'table' | 'json' } {
  const config = readConfigFile();
  const profile = config.profiles?.[options.profile ?? process.env.OKMSD_PROFILE ?? config.profile ?? 'default'] ?? {};
  const tokenFile = join(process.env.OKMSD_DATA_DIR || './data', 'admin-token');
  const token =
    options.token ?? process.env.OKMSD_ADMIN_TOKEN ?? profile.token ?? (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined);
  return {
    url: (options.url ?? process.env.OKMSD_URL ?? profile.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    token,
    domain: options.domain ?? process.env.OKMSD_DOMAIN ?? profile.domain,
    output: options.output === 'json' ? 'json' : 'table',
  };
}
