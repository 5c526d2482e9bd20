#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, loadConfig } from '../app/config';
import { isGatewayClusterWorker, startGatewayCluster } from '../app/gateway-cluster';
import { startOkmsd } from '../app/start-okmsd';
import { registerControlCommands } from './commands/control-commands';
import { registerDataCommands } from './commands/data-commands';
import { registerSecretCommands } from './commands/secret-commands';
import { registerIamTokenCommands, registerTokenCommands } from './commands/token-commands';
import { registerKvCommands } from './commands/kv-commands';
import { CliError, EXIT } from './context';

async function serve(options: { plane?: string; workers?: string }): Promise<void> {
  // Everything the service writes (the database and its WAL among them) is for its own user only.
  process.umask(0o077);
  if (options.plane !== undefined) process.env.OKMSD_PLANE = options.plane; // the flags win over the environment
  if (options.workers !== undefined) process.env.OKMSD_GATEWAY_WORKERS = options.workers;
  const config = loadConfig();
  if (config.gatewayWorkers > 1 && !isGatewayClusterWorker()) return serveGatewayCluster(config.gatewayWorkers);
  const okmsd = await startOkmsd(config);
  if (isGatewayClusterWorker()) process.send?.({ okmsd: 'listening' }); // the primary starts the next worker
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

async function serveGatewayCluster(workers: number): Promise<void> {
  const log = (msg: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ level: 30, time: new Date().toISOString(), service: 'okmsd', pid: process.pid, ...fields, msg })}\n`);
  const gateways = await startGatewayCluster(workers, log);
  const stop = (signal: string) => {
    log('shutting down', { signal });
    gateways.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

function program(): Command {
  const root = new Command('okmsd')
    .description('okmsd: mTLS access certificates and an OKMS-compatible key-management API')
    .option('--url <url>', 'control-plane URL (env OKMSD_URL)')
    .option('--token <token>', 'admin token (env OKMSD_ADMIN_TOKEN)')
    .option('--domain <okmsId>', 'domain id (env OKMSD_DOMAIN)')
    .option('--profile <name>', 'profile in ~/.config/okmsd/config.json (env OKMSD_PROFILE)')
    .option('--output <format>', 'table or json', 'table')
    .option('--debug', 'show stack traces')
    .showHelpAfterError()
    .exitOverride();
  root
    .command('serve')
    .description('run okmsd (configuration from OKMSD_* environment variables; see README)')
    .option('--plane <plane>', 'all (default), control (control plane, lifecycle jobs) or gateway (mTLS data plane, KMIP): processes of each share one store (OKMSD_PLANE)')
    .option('--workers <n>', 'with --plane gateway: gateway processes sharing its ports (OKMSD_GATEWAY_WORKERS, default 1)')
    .action(serve);
  registerControlCommands(root);
  registerDataCommands(root);
  registerSecretCommands(root);
  registerTokenCommands(root);
  registerIamTokenCommands(root.commands.find((command) => command.name() === 'iam')!);
  registerKvCommands(root.commands.find((command) => command.name() === 'secret')!);
  for (const command of root.commands) command.exitOverride();
  return root;
}

program()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    const debug = process.argv.includes('--debug');
    const message = error instanceof CliError || error instanceof ConfigError || error instanceof Error ? error.message : String(error);
    process.stderr.write(`okmsd: ${message}\n${debug && error instanceof Error && error.stack ? `${error.stack}\n` : ''}`);
    process.exitCode = error instanceof CliError ? error.exitCode : EXIT.failure;
    // A gateway worker that failed to start: its IPC channel to the cluster primary would keep it alive forever.
    if (isGatewayClusterWorker()) process.exit();
  });
