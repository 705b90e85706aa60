// `coffer operator raft list-peers`: sys/storage/raft/configuration as
// Vault's table (Node, Address, State, Voter) or, with -format=json, the
// whole answer as Vault prints it.
import { COMMON_FLAGS } from '../flags';
import { tableOutput } from '../table';
import { runRead, type Command } from '../command';

interface Peer {
  node_id: string;
  address: string;
  leader: boolean;
  voter: boolean;
}

export const operatorRaftListPeersCommand: Command = {
  synopsis: 'Returns the Raft peer set',
  help: `Usage: coffer operator raft list-peers [options]

  Provides the details of all the peers in the cluster's storage.

      $ coffer operator raft list-peers`,
  flags: COMMON_FLAGS,
  run: (argv, ctx) =>
    runRead(argv, ctx, {
      request: () => ({ path: 'sys/storage/raft/configuration' }),
      error: 'Error reading the raft cluster configuration',
      table: (body) =>
        tableOutput(['Node', 'Address', 'State', 'Voter'], ((body?.data?.config?.servers ?? []) as Peer[]).map((s) => [s.node_id, s.address, s.leader ? 'leader' : 'follower', String(s.voter)])),
    }),
};
