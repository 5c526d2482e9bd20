/** npm run bench: every benchmark, one after the other, each printing its own table and ratios. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const BENCHES = ['issuance', 'rsa-burst', 'gateway', 'secrets', 'kmip', 'crl', 'scale', 'cluster'];
let failed = false;
for (const name of BENCHES) {
  const result = spawnSync(process.execPath, [join(__dirname, `${name}.js`)], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
