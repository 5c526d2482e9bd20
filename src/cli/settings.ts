import type { Command } from 'commander';
import { resolveSettings, type GlobalOptions } from './context';
import { ControlClient } from './control-client';

/** The command's resolved settings and a control-plane client built from them. */
export function settingsOf(command: Command) {
  const settings = resolveSettings(command.optsWithGlobals<GlobalOptions>());
  return { ...settings, client: new ControlClient(settings.url, settings.token) };
}
