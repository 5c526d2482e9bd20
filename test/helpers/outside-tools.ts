import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The outside clients the tests cross-check against; .ci/run installs each (Debian package in brackets). */
const TOOLS = {
  openssl: 'openssl',
  curl: 'curl',
  jq: 'jq',
  openstack: 'python3-openstackclient',
  barbican: 'python3-barbicanclient',
  chromium: 'chromium',
} as const;

export type OutsideTool = keyof typeof TOOLS;

const present = (tool: OutsideTool): boolean =>
  tool === 'chromium' ? existsSync('/usr/bin/chromium') : spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;

/**
 * Fails (never skips) when a tool is missing: these checks are the safety net under our own encoders and the proof
 * that real clients work, so a machine without the tool must not report them as passed.
 */
export function requireTools(...tools: OutsideTool[]): void {
  const missing = tools.filter((tool) => !present(tool));
  if (missing.length > 0) {
    throw new Error(`the test needs ${missing.join(', ')}: apt-get install ${missing.map((t) => TOOLS[t]).join(' ')} (.ci/run installs them)`);
  }
}
