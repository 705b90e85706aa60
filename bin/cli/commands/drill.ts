// `coffer drill run|list|show`: the DR drill from the command line (issue 12).
// `run` walks the same engine as the console (lib/drill), non-interactively:
// every destructive step is confirmed by having asked for the drill at all;
// Ctrl-C aborts and the report says what state is left. Exit 0 only when the
// drill passed: targets met and every verification good.
import { writeFileSync } from 'node:fs';
import { runDrill } from '../../../lib/drill/engine';
import type { DrillKind, DrillReport } from '../../../lib/drill/types';
import { toJson } from '../output';
import { COMMON_FLAGS, HTTP_FLAGS, UsageError, type FlagSpecs } from '../flags';
import { tableOutput } from '../table';
import { resolveToken } from '../token-store';
import { EXIT_API, EXIT_OK, expectArgs, parse, runRead, type Command } from '../command';
import { eventLines, reportLines } from './drill-print';

const RUN_FLAGS = {
  ...HTTP_FLAGS,
  primary: { kind: 'string', usage: 'API address of the DR primary (required).' },
  secondary: { kind: 'string', usage: 'API address of the DR secondary to promote (required).' },
  kind: { kind: 'string', usage: 'planned (demote, then promote) or unplanned (the lab kills the primary). Default: planned.' },
  rpo: { kind: 'string', usage: 'RPO target, a duration (0s: no loss). Default: 0s.' },
  rto: { kind: 'string', usage: 'RTO target, a duration. Default: 30s.' },
  token: { kind: 'string', usage: 'Token for every cluster (default: VAULT_TOKEN or the stored token).' },
  'primary-token': { kind: 'string', usage: 'Token for the primary, if not -token.' },
  'secondary-token': { kind: 'string', usage: 'Token for the secondary (a primary token: DR replicates tokens), if not -token.' },
  'dr-token': { kind: 'string', usage: 'DR operation token (batch DR token or one from generate-root -dr-token) (required).' },
  other: { kind: 'list', usage: 'API address of another secondary that must follow the new primary (repeatable, or comma-separated). Default: the primary\'s other DR secondaries; a performance secondary the primary reports fails the preflight until named here (no token goes to an address only discovered).' },
  'other-token': { kind: 'string', usage: 'Token for the -other clusters, if not -token.' },
  rate: { kind: 'int', usage: 'Canary writes per second. Default: 20.' },
  'no-failback': { kind: 'bool', usage: 'Stop after verifying the new primary (no fail back).' },
  'keep-canaries': { kind: 'bool', usage: 'Keep the drill-canaries/ mount at the end.' },
  out: { kind: 'string', usage: 'Write the JSON report to this file.' },
} as const satisfies FlagSpecs;

/** "0", "0s", "500ms", "5s", "2m" → milliseconds. */
export function durationMs(raw: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!m) throw new UsageError(`invalid duration "${raw}" for -${flag}: use e.g. 0s, 500ms, 5s, 2m`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

export const drillRunCommand: Command = {
  synopsis: 'Run a DR drill: switch over (or fail over), verify, fail back, report',
  help: `Usage: coffer drill run -primary=ADDR -secondary=ADDR -dr-token=TOKEN [options]

  Runs a DR drill against real clusters: canary writes from before the
  disaster until after the new primary serves, the disaster (planned: demote
  the primary; unplanned: the lab kills it), promotion of the DR secondary,
  re-pointing of the other secondaries, verification, fail back, and a report
  with RPO and RTO against their targets. Exits non-zero when a target is
  missed, a verification fails or the drill stops early.

  The drill sends tokens only to addresses given on the command line. Name
  every other secondary that must follow with -other (performance or DR).
  Without -other it finds the primary's other DR secondaries itself (they
  follow with the DR operation token), and a performance secondary the
  primary reports fails the preflight until it is named with -other.

      $ coffer drill run -primary=http://127.0.0.1:8200 -secondary=http://127.0.0.1:8250 \\
          -other=http://127.0.0.1:8300 -dr-token=$DR_TOKEN -rpo=0s -rto=5s -out=drill.json`,
  flags: RUN_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, RUN_FLAGS, ctx);
    expectArgs(args, 0);
    if (!flags.primary || !flags.secondary) throw new UsageError('-primary and -secondary are required');
    if (!flags['dr-token']) throw new UsageError('-dr-token is required (a batch DR operation token made beforehand, or an operation token)');
    const kind = (flags.kind ?? 'planned') as DrillKind;
    if (kind !== 'planned' && kind !== 'unplanned') throw new UsageError(`-kind must be planned or unplanned, not "${flags.kind}"`);
    const token = flags.token || resolveToken(ctx.env) || '';
    // Only addresses the user named get a token (the primary's reported secondaries are not trusted with one).
    const otherAddrs = flags.other.flatMap((v) => v.split(',')).map((a) => a.trim()).filter(Boolean);
    const otherToken = flags['other-token'] || token;
    const abort = new AbortController();
    const onSigint = () => {
      ctx.ui.err('==> aborting the drill (Ctrl-C) …');
      abort.abort(new Error('aborted by Ctrl-C'));
    };
    process.on('SIGINT', onSigint);
    ctx.ui.out(`==> DR drill (${kind}): ${flags.primary} → ${flags.secondary}`);
    let report: DrillReport;
    const printed = new Map<string, string>();
    try {
      report = await runDrill(
        {
          kind,
          primary: { addr: flags.primary, token: flags['primary-token'] || token },
          secondary: { addr: flags.secondary, token: flags['secondary-token'] || token },
          ...(otherAddrs.length ? { others: otherAddrs.map((addr) => ({ addr, token: otherToken })) } : {}),
          drOperationToken: flags['dr-token'],
          targets: { rpoMs: durationMs(flags.rpo ?? '0s', 'rpo'), rtoMs: durationMs(flags.rto ?? '30s', 'rto') },
          canaryRate: flags.rate,
          failBack: !flags['no-failback'],
          keepCanaries: flags['keep-canaries'],
        },
        {
          signal: abort.signal,
          confirm: async () => true, // asking for the drill on the command line is the confirmation
          onEvent: (e) => {
            // A step re-emits as its checks arrive: print only when its state changes.
            if (e.type === 'step') {
              if (printed.get(e.step.id) === e.step.state) return;
              printed.set(e.step.id, e.step.state);
            }
            eventLines(e).forEach((l) => ctx.ui.out(l));
          },
        },
      );
    } finally {
      process.off('SIGINT', onSigint);
    }
    for (const l of reportLines(report)) ctx.ui.out(l);
    if (flags.out) {
      writeFileSync(flags.out, toJson(report) + '\n', { mode: 0o600 });
      ctx.ui.out(`Report written to ${flags.out}`);
    }
    return report.outcome === 'passed' ? EXIT_OK : EXIT_API;
  },
};

export const drillListCommand: Command = {
  synopsis: 'List the DR drills this cluster ran',
  help: `Usage: coffer drill list [options]

  Lists the drill history kept in sys/drills on this cluster (sudo).

      $ coffer drill list`,
  flags: COMMON_FLAGS,
  run: (argv, ctx) =>
    runRead(argv, ctx, {
      request: () => ({ path: 'sys/drills', query: { list: 'true' }, passStatuses: [404] }),
      error: 'Error listing drills',
      json: (body) => body?.data ?? {},
      table: (body) => {
        const keys: string[] = body?.data?.keys ?? [];
        if (!keys.length) return { error: 'No drills found' };
        const info = body.data.key_info ?? {};
        const rows = keys.map((k) => {
          const s = info[k] ?? {};
          return [k, s.kind ?? '', s.outcome ?? '', s.started_at ?? '', `${s.primary ?? '?'} → ${s.secondary ?? '?'}`, `${s.rpo_lost ?? '?'} lost${s.rpo_met ? '' : ' (missed)'}`, `${s.rto_ms ?? '–'} ms${s.rto_met ? '' : ' (missed)'}`];
        });
        return tableOutput(['ID', 'Kind', 'Outcome', 'Started', 'Clusters', 'RPO', 'RTO'], rows);
      },
    }),
};

export const drillShowCommand: Command = {
  synopsis: 'Show one DR drill report',
  help: `Usage: coffer drill show [options] ID

  Prints a drill report kept in sys/drills (sudo); -format=json prints it whole.

      $ coffer drill show 20261202t070000z-k3j9x2`,
  flags: COMMON_FLAGS,
  run: (argv, ctx) =>
    runRead(argv, ctx, {
      args: 1,
      request: ([id]) => ({ path: `sys/drills/${encodeURIComponent(id)}`, passStatuses: [404] }),
      error: 'Error reading the drill',
      missing: (body, [id]) => (body?.data ? undefined : `No drill found at sys/drills/${id}`),
      json: (body) => body.data,
      table: (body) => reportLines(body.data as DrillReport).join('\n'),
    }),
};
