// The command table: multi-word names ("kv metadata get") map to handlers.
// Dispatch picks the longest name that prefixes the arguments, like the
// mitchellh/cli library behind Vault.
import type { Command } from './command';

/**
 * Each command's module is imported only when that command runs (esbuild
 * splits them into chunks), so `coffer status` parses nothing else.
 */
export type CommandLoader = () => Promise<Command>;

export const COMMANDS: Record<string, CommandLoader> = {
  status: () => import('./commands/status').then((m) => m.statusCommand),
  login: () => import('./commands/login').then((m) => m.loginCommand),
  read: () => import('./commands/path-ops').then((m) => m.readCommand),
  write: () => import('./commands/path-ops').then((m) => m.writeCommand),
  list: () => import('./commands/path-ops').then((m) => m.listCommand),
  delete: () => import('./commands/path-ops').then((m) => m.deleteCommand),
  unwrap: () => import('./commands/unwrap').then((m) => m.unwrapCommand),
  'policy write': () => import('./commands/policy').then((m) => m.policyWriteCommand),
  'policy read': () => import('./commands/policy').then((m) => m.policyReadCommand),
  'policy list': () => import('./commands/policy').then((m) => m.policyListCommand),
  'policy delete': () => import('./commands/policy').then((m) => m.policyDeleteCommand),
  'auth enable': () => import('./commands/auth').then((m) => m.authEnableCommand),
  'auth disable': () => import('./commands/auth').then((m) => m.authDisableCommand),
  'auth list': () => import('./commands/auth').then((m) => m.authListCommand),
  'auth tune': () => import('./commands/mount-tune').then((m) => m.authTuneCommand),
  'audit enable': () => import('./commands/audit').then((m) => m.auditEnableCommand),
  'audit disable': () => import('./commands/audit').then((m) => m.auditDisableCommand),
  'audit list': () => import('./commands/audit').then((m) => m.auditListCommand),
  'secrets enable': () => import('./commands/secrets').then((m) => m.secretsEnableCommand),
  'secrets disable': () => import('./commands/secrets').then((m) => m.secretsDisableCommand),
  'secrets list': () => import('./commands/secrets').then((m) => m.secretsListCommand),
  'secrets tune': () => import('./commands/mount-tune').then((m) => m.secretsTuneCommand),
  'secrets move': () => import('./commands/secrets-move').then((m) => m.secretsMoveCommand),
  'kv put': () => import('./commands/kv-write').then((m) => m.kvPutCommand),
  'kv get': () => import('./commands/kv-read').then((m) => m.kvGetCommand),
  'kv patch': () => import('./commands/kv-write').then((m) => m.kvPatchCommand),
  'kv list': () => import('./commands/kv-read').then((m) => m.kvListCommand),
  'kv delete': () => import('./commands/kv-write').then((m) => m.kvDeleteCommand),
  'kv undelete': () => import('./commands/kv-write').then((m) => m.kvUndeleteCommand),
  'kv destroy': () => import('./commands/kv-write').then((m) => m.kvDestroyCommand),
  'kv rollback': () => import('./commands/kv-rollback').then((m) => m.kvRollbackCommand),
  'kv metadata get': () => import('./commands/kv-read').then((m) => m.kvMetadataGetCommand),
  'kv metadata delete': () => import('./commands/kv-write').then((m) => m.kvMetadataDeleteCommand),
  'kv metadata put': () => import('./commands/kv-metadata-put').then((m) => m.kvMetadataPutCommand),
  'token create': () => import('./commands/token').then((m) => m.tokenCreateCommand),
  'token lookup': () => import('./commands/token').then((m) => m.tokenLookupCommand),
  'token revoke': () => import('./commands/token').then((m) => m.tokenRevokeCommand),
  'token renew': () => import('./commands/token').then((m) => m.tokenRenewCommand),
  'token capabilities': () => import('./commands/token').then((m) => m.tokenCapabilitiesCommand),
  'operator init': () => import('./commands/operator-init').then((m) => m.operatorInitCommand),
  'operator unseal': () => import('./commands/operator-seal').then((m) => m.operatorUnsealCommand),
  'operator seal': () => import('./commands/operator-seal').then((m) => m.operatorSealCommand),
  'operator generate-root': () => import('./commands/operator-generate-root').then((m) => m.operatorGenerateRootCommand),
  'operator rekey': () => import('./commands/operator-rekey').then((m) => m.operatorRekeyCommand),
  'operator step-down': () => import('./commands/operator-ha').then((m) => m.operatorStepDownCommand),
  'operator members': () => import('./commands/operator-ha').then((m) => m.operatorMembersCommand),
  'operator raft list-peers': () => import('./commands/operator-raft-list-peers').then((m) => m.operatorRaftListPeersCommand),
  'operator raft join': () => import('./commands/operator-raft-membership').then((m) => m.operatorRaftJoinCommand),
  'operator raft remove-peer': () => import('./commands/operator-raft-membership').then((m) => m.operatorRaftRemovePeerCommand),
  'operator raft autopilot state': () => import('./commands/operator-raft-membership').then((m) => m.operatorRaftAutopilotStateCommand),
  'operator raft snapshot save': () => import('./commands/operator-raft-snapshot').then((m) => m.operatorRaftSnapshotSaveCommand),
  'operator raft snapshot restore': () => import('./commands/operator-raft-snapshot').then((m) => m.operatorRaftSnapshotRestoreCommand),
  'drill run': () => import('./commands/drill').then((m) => m.drillRunCommand),
  'drill list': () => import('./commands/drill').then((m) => m.drillListCommand),
  'drill show': () => import('./commands/drill').then((m) => m.drillShowCommand),
};

/** Commands that start the server side; loaded lazily so client commands stay fast. */
export const SERVER_COMMANDS: Record<string, string> = {
  server: 'Start a Coffer server',
  lab: 'Start a local lab of clusters',
};

export interface Resolved {
  name: string;
  load: CommandLoader;
  args: string[];
}

/** The most words in a command name ("operator raft snapshot save"). */
const MAX_COMMAND_WORDS = 4;

/** Longest registered name that prefixes argv. */
export function resolveCommand(argv: readonly string[]): Resolved | undefined {
  for (let n = Math.min(MAX_COMMAND_WORDS, argv.length); n > 0; n--) {
    const name = argv.slice(0, n).join(' ');
    if (Object.hasOwn(COMMANDS, name)) return { name, load: COMMANDS[name], args: argv.slice(n) };
  }
  return undefined;
}

/** Registered names under a group prefix, e.g. "kv" → ["kv get", ...]. */
export function subcommandsOf(prefix: string): string[] {
  return Object.keys(COMMANDS).filter((n) => n.startsWith(prefix + ' '));
}
