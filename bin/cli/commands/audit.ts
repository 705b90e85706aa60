// `coffer audit enable|list|disable`: audit devices at sys/audit/PATH, with
// Vault's grammar (TYPE then key=value device options) and wording.
import { COMMON_FLAGS, type FlagSpecs } from '../flags';
import { sanitizePath } from '../kv-paths';
import { mountsFromBody } from '../mount-table';
import { outputData } from '../output';
import { tableOutput } from '../table';
import { clientFor, expectArgs, fail, formatFor, parse, type Command } from '../command';

const ENABLE_FLAGS = {
  ...COMMON_FLAGS,
  path: { kind: 'string', usage: 'Where the device is enabled; unique across devices. Default: the type name.' },
  description: { kind: 'string', usage: 'Human-friendly description of the audit device.' },
  local: { kind: 'bool', usage: 'Mark the device local-only: not replicated, nor removed by replication.' },
} as const satisfies FlagSpecs;

const LIST_FLAGS = {
  ...COMMON_FLAGS,
  detailed: { kind: 'bool', usage: 'Show options and replication status of each device.' },
} as const satisfies FlagSpecs;

interface DeviceView {
  type?: string;
  description?: string;
  local?: boolean;
  options?: Record<string, string> | null;
}

/** "k=v" arguments after TYPE: the device's options. */
function optionArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) out[a] = '';
    else out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}

export const auditEnableCommand: Command = {
  synopsis: 'Enables an audit device',
  help: `Usage: coffer audit enable [options] TYPE [CONFIG K=V...]

  Enables an audit device of TYPE (file, socket, syslog) at -path (default:
  TYPE). Options for the device are given as KEY=VALUE.

      $ coffer audit enable file file_path=/var/log/coffer_audit.log
      $ coffer audit enable -path=raw -local file file_path=stdout log_raw=true`,
  flags: ENABLE_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, ENABLE_FLAGS, ctx);
    expectArgs(args, 1, Infinity);
    const type = args[0].trim();
    const path = sanitizePath(flags.path || type) + '/';
    const body = { type, description: flags.description ?? '', local: flags.local, options: optionArgs(args.slice(1)) };
    try {
      await clientFor(flags, ctx).write(`sys/audit/${path.slice(0, -1)}`, body, 'PUT');
    } catch (err) {
      return fail(ctx.ui, 'Error enabling audit device', err);
    }
    ctx.ui.out(`Success! Enabled the ${type} audit device at: ${path}`);
    return 0;
  },
};

export const auditDisableCommand: Command = {
  synopsis: 'Disables an audit device',
  help: `Usage: coffer audit disable [options] PATH

  Disables the audit device at PATH. Its salt goes with it: re-enabling at the
  same path hashes values differently.`,
  flags: COMMON_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, COMMON_FLAGS, ctx);
    expectArgs(args, 1);
    const path = sanitizePath(args[0]) + '/';
    try {
      await clientFor(flags, ctx).delete(`sys/audit/${path.slice(0, -1)}`);
    } catch (err) {
      return fail(ctx.ui, 'Error disabling audit device', err);
    }
    ctx.ui.out(`Success! Disabled audit device (if it was enabled) at: ${path}`);
    return 0;
  },
};

export const auditListCommand: Command = {
  synopsis: 'Lists enabled audit devices',
  help: `Usage: coffer audit list [options]

  Lists the enabled audit devices; -detailed adds replication and options.`,
  flags: LIST_FLAGS,
  async run(argv, ctx) {
    const { flags, args } = parse(argv, LIST_FLAGS, ctx);
    expectArgs(args, 0);
    const format = formatFor(flags, ctx);
    let devices: Record<string, DeviceView>;
    try {
      devices = mountsFromBody((await clientFor(flags, ctx).request('GET', 'sys/audit')).body) as Record<string, DeviceView>;
    } catch (err) {
      return fail(ctx.ui, 'Error listing audits', err);
    }
    if (format === 'json') return outputData(ctx.ui, devices, format);
    const paths = Object.keys(devices).sort();
    if (!paths.length) {
      ctx.ui.out('No audit devices are enabled.');
      return 0;
    }
    const options = (d: DeviceView) =>
      Object.entries(d.options ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
    ctx.ui.out(
      flags.detailed
        ? tableOutput(['Path', 'Type', 'Description', 'Replication', 'Options'], paths.map((p) => [p, devices[p].type ?? '', devices[p].description ?? '', devices[p].local ? 'local' : 'replicated', options(devices[p])]))
        : tableOutput(['Path', 'Type', 'Description'], paths.map((p) => [p, devices[p].type ?? '', devices[p].description ?? ''])),
    );
    return 0;
  },
};
