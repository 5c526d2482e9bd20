import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';

/**
 * The request types of every schema in schemas/, generated into src/http/schema-types.ts: schemas/ is the one source
 * of validation, of the OpenAPI document and of the types the handlers see. `npm run gen:schema-types` writes the
 * file; test/unit/schema-types.test.ts fails when it is not what the schemas give.
 */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
export const SCHEMA_DIR = join(repositoryRoot(), 'schemas');
export const OUTPUT = join(repositoryRoot(), 'src', 'http', 'schema-types.ts');

type Node = Record<string, unknown>;

function loadSchemas(): Map<string, Node> {
  const schemas = new Map<string, Node>();
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Node;
    schemas.set(String(schema.$id), schema);
  }
  return schemas;
}

function pointer(root: Node, path: string): Node {
  return path.split('/').filter(Boolean).reduce<Node>((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Node, root);
}

/** Inlines the `$ref`s between schemas (by $id) and into $defs, so that each schema compiles on its own. */
function inline(node: unknown, root: Node, schemas: Map<string, Node>): unknown {
  if (Array.isArray(node)) return node.map((n) => inline(n, root, schemas));
  if (!node || typeof node !== 'object') return node;
  const object = node as Node;
  if (typeof object.$ref === 'string') {
    const [id, path = ''] = object.$ref.split('#');
    const target = id ? schemas.get(id) : root;
    if (!target) throw new Error(`unknown $ref ${object.$ref}`);
    const { $ref: _ref, ...rest } = object;
    return inline({ ...pointer(target, path), ...rest }, target, schemas);
  }
  const out: Node = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === '$defs' || key === '$schema' || key === '$id' || key === 'title' || key === 'examples' || key === 'errorMessage') continue;
    out[key] = inline(value, root, schemas);
  }
  return out;
}

const typeName = (id: string) => id.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

export async function generateSchemaTypes(): Promise<string> {
  const schemas = loadSchemas();
  const parts: string[] = [
    '// Generated from schemas/ by tools/schema-types/generate.ts (npm run gen:schema-types). Do not edit.',
    '/* eslint-disable */',
    '',
  ];
  for (const [id, schema] of schemas) {
    const resolved = { ...(inline(schema, schema, schemas) as Node), title: typeName(id) } as JSONSchema;
    const ts = await compile(resolved, typeName(id), { bannerComment: '', additionalProperties: false, unreachableDefinitions: false });
    parts.push(`/** schemas/${id}.json */`, ts.trim(), '');
  }
  parts.push('/** Each schema id and the type of what it accepts. */', 'export interface SchemaTypes {');
  for (const id of schemas.keys()) parts.push(`  '${id}': ${typeName(id)};`);
  parts.push('}', '');
  return parts.join('\n');
}

// `--stdout` prints what the file should hold (the freshness test compares it); otherwise the file is written.
if (require.main === module) {
  void generateSchemaTypes().then((text) => {
    if (process.argv.includes('--stdout')) process.stdout.write(text);
    else {
      writeFileSync(OUTPUT, text);
      process.stdout.write(`wrote ${OUTPUT}\n`);
    }
  });
}
