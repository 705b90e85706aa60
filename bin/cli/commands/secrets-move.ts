// `coffer secrets move SOURCE DESTINATION`: sys/remount, then poll
// sys/remount/status/:id until the move is over (Vault 1.10+'s secrets_move.go).
import { COMMON_FLAGS } from '../flags';
import { sanitizePath } from '../kv-paths';
import { clientFor, EXIT_API, expectArgs, fail, parse, type Command } from '../command';

const POLL_MS = 100;

interface MigrationInfo {
  status?: string;
}

export const secretsMoveCommand: Command = {
  synopsis: 'Move a secrets engine to a new path',
  help: `Usage: coffer secrets move [options] SOURCE DESTINATION

  Moves an existing secrets engine to a new path. Any leases from the old
  secrets engine are revoked, but all configuration associated with the
  engine is preserved.

      $ coffer secrets move secret/ generic/`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 2);
    const source = sanitizePath(args[0]) + '/';
    const destination = sanitizePath(args[1]) + '/';
    const client = clientFor(flags, ctx);
    let id: string;
    try {
      const secret = await client.write('sys/remount', { from: source, to: destination }, 'POST');
      id = String(secret?.data?.migration_id ?? '');
    } catch (err) {
      return fail(ctx.ui, `Error moving secrets engine ${source} to ${destination}`, err);
    }
    ctx.ui.out(`Started moving secrets engine ${source} to ${destination}, with migration ID ${id}`);
    for (;;) {
      let info: MigrationInfo;
      try {
        const status = await client.read(`sys/remount/status/${id}`);
        info = (status?.data?.migration_info ?? {}) as MigrationInfo;
      } catch (err) {
        return fail(ctx.ui, `Failed to check migration status of secrets engine ${source} to ${destination}`, err);
      }
      if (info.status === 'success') {
        ctx.ui.out(`Success! Finished moving secrets engine ${source} to ${destination}, with migration ID ${id}`);
        return 0;
      }
      if (info.status === 'failure') {
        ctx.ui.err(`Failure! Error encountered moving secrets engine ${source} to ${destination}, with migration ID ${id}`);
        return EXIT_API;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  },
};
