import { CliError, exitCodeFor } from './context';

export interface KeystoneCredentials {
  readonly user: string;
  readonly password: string;
  /** The project: an okmsd domain, by name or id. */
  readonly project: string;
  /** The Keystone user domain: `Default` (the root account) or an account id. */
  readonly userDomain: string;
}

/** The Barbican API with a Keystone token fetched once per command; errors become one line and an exit code. */
export class BarbicanClient {
  private token: Promise<string> | undefined;

  constructor(
    private readonly url: string,
    private readonly credentials: KeystoneCredentials,
  ) {}

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body === undefined ? undefined : { type: 'application/json', data: JSON.stringify(body) });
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async raw(path: string, accept?: string): Promise<{ contentType: string; body: Buffer }> {
    const response = await this.send('GET', path, undefined, accept);
    return { contentType: response.headers.get('content-type') ?? 'application/octet-stream', body: Buffer.from(await response.arrayBuffer()) };
  }

  private async send(method: string, path: string, body?: { type: string; data: string }, accept = 'application/json'): Promise<Response> {
    const token = await (this.token ??= this.login());
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { method, headers: { 'x-auth-token': token, accept, ...(body ? { 'content-type': body.type } : {}) }, body: body?.data });
    } catch (error) {
      throw new CliError(`cannot reach okmsd at ${this.url}: ${(error as Error).message}`);
    }
    if (!response.ok) throw await failure(`${method} ${path}`, response);
    return response;
  }

  private async login(): Promise<string> {
    const { user, password, project, userDomain } = this.credentials;
    const projectScope = /^[0-9a-f-]{36}$/i.test(project) ? { id: project } : { name: project, domain: { name: userDomain } };
    let response: Response;
    try {
      response = await fetch(`${this.url}/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: user, domain: { name: userDomain }, password } } }, scope: { project: projectScope } } }),
      });
    } catch (error) {
      throw new CliError(`cannot reach okmsd at ${this.url}: ${(error as Error).message}`);
    }
    if (!response.ok) throw await failure('login', response);
    return response.headers.get('x-subject-token')!;
  }
}

async function failure(what: string, response: Response): Promise<CliError> {
  const text = await response.text();
  let message = text;
  try {
    const parsed = JSON.parse(text) as { title?: string; description?: string; error?: { message?: string } };
    message = parsed.description ? `${parsed.title}: ${parsed.description}` : parsed.error?.message ?? text;
  } catch {
    // not JSON: as it is
  }
  return new CliError(`${what}: ${response.status} ${message}`, exitCodeFor(response.status));
}
