#!/usr/bin/env node
import { ConfigError, loadConfig } from '../config';
import { startOkmsd } from '../server';

const USAGE = `usage: okmsd <command>

commands:
  serve     run the control plane (configuration from OKMSD_* environment variables; see README)
  help      show this text
`;

async function serve(): Promise<void> {
  const okmsd = await startOkmsd(loadConfig());
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    okmsd.logger.info({ signal }, 'shutting down');
    okmsd.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  if (command === 'serve') {
    await serve();
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`okmsd: unknown command "${command}"\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`okmsd: ${message}\n`);
    process.exitCode = 1;
  },
);
