// `coffer status`: seal state at a glance. Exit code carries it for scripts:
// 0 unsealed, 2 sealed, 1 error (Vault's contract).
import { UNAUTHENTICATED } from '../client';
import { COMMON_FLAGS } from '../flags';
import { toJson } from '../output';
import { fetchLeader, sealStatusJson, sealStatusTable, type SealStatus } from '../seal-status';
import { clientFor, expectArgs, formatFor, parse, type Command } from '../command';

export const statusCommand: Command = {
  synopsis: 'Print seal and HA status',
  help: `Usage: coffer status [options]

  Prints the seal state and cluster details of the server. The exit code is 0
  when unsealed, 2 when sealed and 1 on error.`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 0);
    const format = formatFor(flags, ctx);
    const client = clientFor(flags, ctx);
    // Both at once: one round trip of wall time instead of two (fetchLeader never throws).
    const leaderP = fetchLeader(client);
    let status: SealStatus;
    try {
      status = ((await client.request('GET', 'sys/seal-status', UNAUTHENTICATED)).body ?? {}) as SealStatus;
    } catch (err) {
      ctx.ui.err(`Error checking seal status: ${(err as Error).message}`);
      return 1;
    }
    const leader = await leaderP;
    if (format === 'json') ctx.ui.out(toJson(sealStatusJson(status, leader)));
    else ctx.ui.out(sealStatusTable(status, leader));
    return status.sealed ? 2 : 0;
  },
};
