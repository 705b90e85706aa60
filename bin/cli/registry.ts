// The command table: multi-word names ("kv metadata get") map to handlers.
// Dispatch picks the longest name that prefixes the arguments, like the
// mitchellh/cli library behind Vault.
import type { Command } from './command';
import { authDisableCommand, authEnableCommand, authListCommand } from './commands/auth';
import { kvGetCommand, kvListCommand, kvMetadataGetCommand } from './commands/kv-read';
import {
  kvDeleteCommand,
  kvDestroyCommand,
  kvMetadataDeleteCommand,
  kvPatchCommand,
  kvPutCommand,
  kvUndeleteCommand,
} from './commands/kv-write';
import { loginCommand } from './commands/login';
import { operatorGenerateRootCommand } from './commands/operator-generate-root';
import { operatorInitCommand } from './commands/operator-init';
import { operatorSealCommand, operatorUnsealCommand } from './commands/operator-seal';
import { deleteCommand, listCommand, readCommand, writeCommand } from './commands/path-ops';
import { policyDeleteCommand, policyListCommand, policyReadCommand, policyWriteCommand } from './commands/policy';
import { secretsDisableCommand, secretsEnableCommand, secretsListCommand } from './commands/secrets';
import { statusCommand } from './commands/status';
import {
  tokenCapabilitiesCommand,
  tokenCreateCommand,
  tokenLookupCommand,
  tokenRenewCommand,
  tokenRevokeCommand,
} from './commands/token';

export const COMMANDS: Record<string, Command> = {
  status: statusCommand,
  login: loginCommand,
  read: readCommand,
  write: writeCommand,
  list: listCommand,
  delete: deleteCommand,
  'policy write': policyWriteCommand,
  'policy read': policyReadCommand,
  'policy list': policyListCommand,
  'policy delete': policyDeleteCommand,
  'auth enable': authEnableCommand,
  'auth disable': authDisableCommand,
  'auth list': authListCommand,
  'secrets enable': secretsEnableCommand,
  'secrets disable': secretsDisableCommand,
  'secrets list': secretsListCommand,
  'kv put': kvPutCommand,
  'kv get': kvGetCommand,
  'kv patch': kvPatchCommand,
  'kv list': kvListCommand,
  'kv delete': kvDeleteCommand,
  'kv undelete': kvUndeleteCommand,
  'kv destroy': kvDestroyCommand,
  'kv metadata get': kvMetadataGetCommand,
  'kv metadata delete': kvMetadataDeleteCommand,
  'token create': tokenCreateCommand,
  'token lookup': tokenLookupCommand,
  'token revoke': tokenRevokeCommand,
  'token renew': tokenRenewCommand,
  'token capabilities': tokenCapabilitiesCommand,
  'operator init': operatorInitCommand,
  'operator unseal': operatorUnsealCommand,
  'operator seal': operatorSealCommand,
  'operator generate-root': operatorGenerateRootCommand,
};

/** Commands that start the server side; loaded lazily so client commands stay fast. */
export const SERVER_COMMANDS: Record<string, string> = {
  server: 'Start a Coffer server',
  lab: 'Start a local lab of clusters',
};

export interface Resolved {
  name: string;
  command: Command;
  args: string[];
}

/** Longest registered name that prefixes argv. */
export function resolveCommand(argv: readonly string[]): Resolved | undefined {
  for (let n = Math.min(3, argv.length); n > 0; n--) {
    const name = argv.slice(0, n).join(' ');
    const command = COMMANDS[name];
    if (command) return { name, command, args: argv.slice(n) };
  }
  return undefined;
}

/** Registered names under a group prefix, e.g. "kv" → ["kv get", ...]. */
export function subcommandsOf(prefix: string): string[] {
  return Object.keys(COMMANDS).filter((n) => n.startsWith(prefix + ' '));
}
