// `coffer operator raft list-peers`: sys/storage/raft/configuration as
// Vault's table (Node, Address, State, Voter) or, with -format=json, the
// whole answer as Vault prints it.
import { toJson } from '../output';
import { COMMON_FLAGS } from '../flags';
import { tableOutput } from '../table';
import { clientFor, EXIT_OK, expectArgs, fail, formatFor, parse, type Command } from '../command';

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
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 0);
    let body;
    try {
      body = (await clientFor(flags, ctx).request('GET', 'sys/storage/raft/configuration')).body;
    } catch (err) {
      return fail(ctx.ui, 'Error reading the raft cluster configuration', err);
    }
    if (formatFor(flags, ctx) === 'json') {
      ctx.ui.out(toJson(body));
      return EXIT_OK;
    }
    const servers = (body?.data?.config?.servers ?? []) as Peer[];
    ctx.ui.out(tableOutput(['Node', 'Address', 'State', 'Voter'], servers.map((s) => [s.node_id, s.address, s.leader ? 'leader' : 'follower', String(s.voter)])));
    return EXIT_OK;
  },
};
