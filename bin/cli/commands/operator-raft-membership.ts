// `coffer operator raft join`, `remove-peer` and `autopilot state`: Vault's
// commands over sys/storage/raft/join, …/remove-peer and …/autopilot/state,
// with Vault's flags and output.
import { readFileSync } from 'node:fs';
import { toJson } from '../output';
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { keyValueTable } from '../table';
import { clientFor, EXIT_OK, expectArgs, fail, formatFor, parse, runRead, type Command } from '../command';

/** Vault's flag values for certificates: "@file" reads the file, anything else is the PEM itself. */
function pemFlag(v: string | undefined): string | undefined {
  if (!v) return undefined;
  return v.startsWith('@') ? readFileSync(v.slice(1), 'utf8') : v;
}

const JOIN_FLAGS = {
  ...COMMON_FLAGS,
  'leader-ca-cert': { kind: 'string', usage: 'CA certificate (PEM, or @file) to verify the leader\'s API certificate with.' },
  'leader-client-cert': { kind: 'string', usage: 'Client certificate (PEM, or @file) for the leader\'s API, when it asks for one.' },
  'leader-client-key': { kind: 'string', usage: 'Key of -leader-client-cert (PEM, or @file).' },
  retry: { kind: 'bool', usage: 'Keep trying to join until it succeeds.' },
  'non-voter': { kind: 'bool', usage: 'Join as a non-voter (refused by the server: every Coffer member votes).' },
  'auto-join': { kind: 'string', usage: 'Cloud auto-join (not available here).' },
} as const satisfies FlagSpecs;

export const operatorRaftJoinCommand: Command = {
  synopsis: 'Joins a node to the Raft cluster',
  help: `Usage: coffer operator raft join [options] <leader-api-addr>

  Joins this (new, uninitialized) node to the cluster whose node answers at
  <leader-api-addr>. Then unseal this node with the cluster's unseal keys: it
  proves them to the leader, becomes a voter and receives the cluster's data.

      $ coffer operator raft join https://node-a.example.com:8200`,
  flags: JOIN_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, JOIN_FLAGS, ctx);
    expectArgs(args, 0, 1);
    if (flags['auto-join']) return fail(ctx.ui, 'Error joining the node to the Raft cluster', new Error('auto_join is not available here: give the leader\'s API address'));
    if (args.length === 0) return fail(ctx.ui, 'Error joining the node to the Raft cluster', new Error('the leader\'s API address is required'));
    const body = {
      leader_api_addr: args[0],
      leader_ca_cert: pemFlag(flags['leader-ca-cert']),
      leader_client_cert: pemFlag(flags['leader-client-cert']),
      leader_client_key: pemFlag(flags['leader-client-key']),
      retry: flags.retry,
      non_voter: flags['non-voter'],
    };
    let res;
    try {
      res = (await clientFor(flags, ctx).request('POST', 'sys/storage/raft/join', { body })).body;
    } catch (err) {
      return fail(ctx.ui, 'Error joining the node to the Raft cluster', err);
    }
    if (formatFor(flags, ctx) === 'json') ctx.ui.out(toJson(res));
    else ctx.ui.out(keyValueTable([['Joined', String(res?.joined ?? false)]]));
    return EXIT_OK;
  },
};

export const operatorRaftRemovePeerCommand: Command = {
  synopsis: 'Removes a node from the Raft cluster',
  help: `Usage: coffer operator raft remove-peer <server_id>

  Removes the node with the given node_id from the cluster's storage. The
  removed node stops serving as a member and seals.

      $ coffer operator raft remove-peer node-e`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1);
    try {
      await clientFor(flags, ctx).request('POST', 'sys/storage/raft/remove-peer', { body: { server_id: args[0] } });
    } catch (err) {
      return fail(ctx.ui, 'Error removing the peer from raft cluster', err);
    }
    ctx.ui.out('Peer removed successfully!');
    return EXIT_OK;
  },
};

interface AutopilotServer {
  name: string;
  address: string;
  status: string;
  node_status: string;
  healthy: boolean;
  last_contact: string;
  last_term: number;
  last_index: number;
  node_type?: string;
}

interface AutopilotState {
  healthy?: boolean;
  failure_tolerance?: number;
  leader?: string;
  voters?: string[];
  servers?: Record<string, AutopilotServer>;
}

export const operatorRaftAutopilotStateCommand: Command = {
  synopsis: 'Displays the state of the raft cluster under integrated storage as seen by autopilot',
  help: `Usage: coffer operator raft autopilot state

  Shows the health of every server in the raft cluster: whether it is alive,
  how far behind the leader it is, and how many failures the cluster tolerates.

      $ coffer operator raft autopilot state`,
  flags: COMMON_FLAGS,
  run: (argv, ctx) =>
    runRead(argv, ctx, {
      request: () => ({ path: 'sys/storage/raft/autopilot/state' }),
      error: 'Error checking autopilot state',
      table: (body) => autopilotLines(body?.data ?? {}),
    }),
};

/** Vault's `operator raft autopilot state` text. */
function autopilotLines(s: AutopilotState): string {
  const lines = [`Healthy:                      ${s.healthy}`, `Failure Tolerance:            ${s.failure_tolerance}`, `Leader:                       ${s.leader}`, 'Voters:'];
  for (const v of s.voters ?? []) lines.push(`   ${v}`);
  lines.push('Servers:');
  for (const [id, srv] of Object.entries(s.servers ?? {})) {
    lines.push(
      `   ${id}`,
      `      Name:              ${srv.name}`,
      `      Address:           ${srv.address}`,
      `      Status:            ${srv.status}`,
      `      Node Status:       ${srv.node_status}`,
      `      Healthy:           ${srv.healthy}`,
      `      Last Contact:      ${srv.last_contact}`,
      `      Last Term:         ${srv.last_term}`,
      `      Last Index:        ${srv.last_index}`,
      `      Node Type:         ${srv.node_type ?? 'voter'}`,
    );
  }
  return lines.join('\n');
}
