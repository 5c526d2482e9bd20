import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * The compiled JavaScript of a worker module: beside its caller when running the build (dist/), or the built copy
 * in dist/ when the caller runs from src/ under ts-jest (`npm test` builds first).
 */
export function workerScript(callerDir: string, basename: string): string {
  const sibling = join(callerDir, `${basename}.js`);
  if (existsSync(sibling)) return sibling;
  const root = resolve(__dirname, '..', '..');
  const built = join(root, 'dist', relative(root, callerDir), `${basename}.js`);
  if (!existsSync(built)) throw new Error(`${built} is missing: run "npm run build" first`);
  return built;
}
