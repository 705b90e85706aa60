// `coffer operator step-down` (sys/step-down: the active hands its role to
// another node) and `coffer operator members` (sys/ha-status as Vault's table).
import { COMMON_FLAGS } from '../flags';
import { tableOutput } from '../table';
import { clientFor, EXIT_OK, expectArgs, fail, parse, runRead, type Command } from '../command';

interface HaNode {
  hostname?: string;
  api_address?: string;
  cluster_address?: string;
  active_node?: boolean;
  version?: string;
  upgrade_version?: string;
  redundancy_zone?: string;
  last_echo?: string | null;
}

export const operatorStepDownCommand: Command = {
  synopsis: 'Forces the active node to give up its role',
  help: `Usage: coffer operator step-down [options]

  Forces the active node of an HA cluster to step down: it gives up the
  active role, stays out of the next election for a while, and another
  unsealed node becomes active. Asked of a standby, the request goes to the
  active node. Needs a token with sudo on sys/step-down.

      $ coffer operator step-down`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 0);
    const client = clientFor(flags, ctx);
    try {
      await client.request('PUT', 'sys/step-down', { wrap: false });
    } catch (err) {
      return fail(ctx.ui, 'Error stepping down', err);
    }
    ctx.ui.out(`Success! Stepped down: ${client.config.address}`);
    return EXIT_OK;
  },
};

export const operatorMembersCommand: Command = {
  synopsis: 'Returns the list of nodes in the HA cluster',
  help: `Usage: coffer operator members [options]

  Lists the nodes of the HA cluster: the active node and every standby that
  has echoed recently.

      $ coffer operator members`,
  flags: COMMON_FLAGS,
  run: (argv, ctx) =>
    runRead(argv, ctx, {
      request: () => ({ path: 'sys/ha-status' }),
      error: 'Error retrieving HA status',
      table: (body) =>
        tableOutput(
          ['Host Name', 'API Address', 'Cluster Address', 'Active Node', 'Version', 'Upgrade Version', 'Redundancy Zone', 'Last Echo'],
          ((body?.Nodes ?? body?.data?.nodes ?? []) as HaNode[]).map((n) => [n.hostname ?? '', n.api_address ?? '', n.cluster_address ?? '', String(n.active_node ?? false), n.version ?? '', n.upgrade_version ?? '', n.redundancy_zone ?? '', n.last_echo ?? '<nil>']),
        ),
    }),
};
