import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * OVHcloud's own OpenAPI description of the OKMS data plane, as a contract for okmsd's requests and responses:
 * 2.17.0 (with BYOK) from the Go module proxy (tools/okms-spec/fetch.sh, pinned by SHA-256), and 2.14.0 from
 * ../shared/okms/ where the workplace has it. Its OpenAPI 3.0 schemas (`nullable`) are read as JSON Schema.
 */
type Json = Record<string, unknown>;
const ROOT = join(__dirname, '..', '..');

export interface Contract {
  readonly version: string;
  /** The errors of a request body (kind 'request') or of a response (status and body) against the operation. */
  check(method: string, specPath: string, kind: 'request' | 'response', status: number, body: unknown): string[];
}

/** The 2.14.0 copy beside the workspace: next to this checkout, or next to the repository it was cloned from. */
function sharedSpec(): string | undefined {
  const candidates = [join(ROOT, '..', 'shared', 'okms', 'okms-openapi-2.14.0.yaml')];
  try {
    const origin = execFileSync('git', ['-C', ROOT, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    if (origin.startsWith('/')) candidates.push(join(resolve(origin), '..', 'shared', 'okms', 'okms-openapi-2.14.0.yaml'));
  } catch {
    // not a clone: the first candidate is the one
  }
  return candidates.find((file) => existsSync(file));
}

/** OpenAPI 3.0 → JSON Schema: `nullable` becomes a null type; refs point into the document's own id. */
function toJsonSchema(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, id));
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'nullable' || key === 'example' || key === 'examples') continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = `${id}${value}`;
    else out[key] = toJsonSchema(value, id);
  }
  if (source.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (out.$ref || out.allOf || out.oneOf || out.anyOf) return { anyOf: [out, { type: 'null' }] };
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  return out;
}

function load(file: string): Contract {
  const document = parse(readFileSync(file, 'utf8')) as Json;
  const version = String((document.info as Json).version);
  const id = `okms-${version}`;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('uint32', true).addFormat('int32', true).addFormat('byte', true).addFormat('string', true);
  ajv.addSchema({ $id: id, components: toJsonSchema(document.components, id) } as Json);
  const compiled = new Map<string, ValidateFunction>();
  const validator = (key: string, schema: unknown) => {
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(schema, id) as Json);
      compiled.set(key, validate);
    }
    return validate;
  };
  const paths = document.paths as Record<string, Record<string, Json>>;
  return {
    version,
    check(method, specPath, kind, status, body) {
      const operation = paths[specPath]?.[method.toLowerCase()];
      if (!operation) return [`${method} ${specPath} is not in OKMS ${version}`];
      const content = kind === 'request'
        ? (operation.requestBody as Json | undefined)?.content as Record<string, Json> | undefined
        : ((operation.responses as Record<string, Json>)[String(status)])?.content as Record<string, Json> | undefined;
      if (kind === 'response' && !(operation.responses as Record<string, Json>)[String(status)]) return [`status ${status} is not documented for ${method} ${specPath}`];
      const media = content?.['application/json'] ?? content?.['application/merge-patch+json'];
      if (!media?.schema) return body === undefined || body === '' ? [] : kind === 'request' ? [] : [`${method} ${specPath} ${status} documents no JSON body`];
      const validate = validator(`${method} ${specPath} ${kind} ${status}`, media.schema);
      return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    },
  };
}

/** Every OKMS spec this machine has: 2.17.0 always (fetched), 2.14.0 where the workplace's copy is found. */
export function loadContracts(): Contract[] {
  const fetched = execFileSync('bash', [join(ROOT, 'tools', 'okms-spec', 'fetch.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const shared = sharedSpec();
  return [load(fetched), ...(shared ? [load(shared)] : [])];
}

