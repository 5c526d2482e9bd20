import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A page or asset of the web/ folder, read once at start. */
export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/** web/ beside package.json, found from here whether this runs from src/ (ts-jest) or dist/src/ (the build). */
function webRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web'))) return join(dir, 'web');
  }
  throw new Error('the web/ folder (console and API reference pages) was not found above ' + __dirname);
}

/** Reads `files` (paths under web/) into memory: what the control plane serves never touches the disk per request. */
export function loadStaticFiles(files: readonly string[]): ReadonlyMap<string, StaticFile> {
  const root = webRoot();
  return new Map(files.map((file) => {
    const extension = file.slice(file.lastIndexOf('.') + 1);
    const contentType = TYPES[extension];
    if (!contentType) throw new Error(`web/${file}: no content type for .${extension}`);
    return [file, { body: readFileSync(join(root, file)), contentType }];
  }));
}
