// `coffer help` / `coffer -help`: the command list, and per-command usage.
import type { Command } from './command';
import { flagHelp } from './flags';
import { COMMANDS, SERVER_COMMANDS } from './registry';

const COMMON_GROUPS = ['read', 'write', 'delete', 'list', 'login', 'server', 'status', 'unwrap'];
const GROUP_SYNOPSIS: Record<string, string> = {
  audit: 'Interact with audit devices',
  auth: 'Interact with auth methods',
  kv: 'Interact with the KV secrets engine',
  operator: 'Perform operator-specific tasks',
  policy: 'Interact with policies',
  secrets: 'Interact with secrets engines',
  token: 'Interact with tokens',
};

/** Loads the command's module for its synopsis: only help pays for that. */
async function synopsisOf(name: string): Promise<string> {
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return (load ? (await load()).synopsis : undefined) ?? SERVER_COMMANDS[name] ?? GROUP_SYNOPSIS[name] ?? '';
}

async function listing(names: string[], prefix = ''): Promise<string> {
  const shown = names.map((n) => (prefix && n.startsWith(prefix + ' ') ? n.slice(prefix.length + 1) : n));
  const width = Math.max(...shown.map((n) => n.length));
  const synopses = await Promise.all(names.map(synopsisOf));
  return names.map((n, i) => `    ${shown[i].padEnd(width)}    ${synopses[i]}`).join('\n');
}

export async function mainHelp(): Promise<string> {
  const other = [...Object.keys(GROUP_SYNOPSIS), 'lab'].sort();
  return [
    'Usage: coffer <command> [args]',
    '',
    'Common commands:',
    await listing(COMMON_GROUPS),
    '',
    'Other commands:',
    await listing(other),
    '',
    'Environment: COFFER_ADDR (or VAULT_ADDR), COFFER_TOKEN (or VAULT_TOKEN, else',
    '~/.coffer-token), COFFER_SKIP_VERIFY, VAULT_CACERT, VAULT_FORMAT.',
  ].join('\n');
}

export async function groupHelp(group: string, names: string[]): Promise<string> {
  return [`Usage: coffer ${group} <subcommand> [options] [args]`, '', 'Subcommands:', await listing(names, group)].join('\n');
}

export function commandHelp(command: Command): string {
  return `${command.help}\n\nOptions:\n\n${flagHelp(command.flags)}`;
}
