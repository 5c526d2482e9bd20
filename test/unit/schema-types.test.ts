import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMAS } from '../../src/http/validation';

const ROOT = join(__dirname, '..', '..');
const OUTPUT = join(ROOT, 'src', 'http', 'schema-types.ts');
// The generator runs as the build made it (prettier, which formats its output, needs a plain Node process).
const GENERATOR = join(ROOT, 'dist', 'tools', 'schema-types', 'generate.js');

describe('request types generated from schemas/', () => {
  it('src/http/schema-types.ts is what schemas/ gives now (run npm run gen:schema-types after editing a schema)', () => {
    if (!existsSync(GENERATOR)) throw new Error(`${GENERATOR} is missing: run "npm run build" first (npm test does it)`);
    expect(readFileSync(OUTPUT, 'utf8')).toBe(execFileSync(process.execPath, [GENERATOR, '--stdout'], { encoding: 'utf8' }));
  });

  it('names a type for every schema the validators load, and for no other', () => {
    const generated = [...readFileSync(OUTPUT, 'utf8').matchAll(/^ {2}'([a-z0-9-]+)': /gm)].map((m) => m[1]).sort();
    expect(generated).toEqual(SCHEMAS.map((s) => s.$id).sort());
  });
});
