// Flags of `coffer server`, in Vault's single-dash grammar (-name=value or
// -name value; booleans bare). Hand-parsed because node:util parseArgs does
// not accept single-dash long options.
export interface ServerFlags {
  dev: boolean;
  devRootTokenId?: string;
  devListenAddress: string;
  devNoUi: boolean;
  devClusterName?: string;
  /** Lab-only: keep the dev cluster's data here, so a restart (after a lab SIGKILL) comes back with it, sealed. */
  devDataDir?: string;
  config?: string;
  logLevel?: string;
  logRetention?: number;
  /** Test-only: serve sys/storage/faults (storage fault switches, root token). Never set in production. */
  devFaults: boolean;
}

const BOOLEAN = new Set(['dev', 'dev-no-ui', 'dev-faults']);

export function parseServerFlags(args: string[]): ServerFlags {
  const flags: ServerFlags = { dev: false, devListenAddress: '127.0.0.1:8200', devNoUi: false, devFaults: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-')) throw new Error(`unexpected argument "${arg}"`);
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    let value = eq === -1 ? undefined : body.slice(eq + 1);
    if (value === undefined && !BOOLEAN.has(name)) {
      value = args[++i];
      if (value === undefined) throw new Error(`flag -${name} needs a value`);
    }
    switch (name) {
      case 'dev':
        flags.dev = value === undefined || value === 'true';
        break;
      case 'dev-no-ui':
        flags.devNoUi = value === undefined || value === 'true';
        break;
      case 'dev-faults':
        flags.devFaults = value === undefined || value === 'true';
        break;
      case 'dev-root-token-id':
        flags.devRootTokenId = value;
        break;
      case 'dev-listen-address':
        flags.devListenAddress = value!;
        break;
      case 'dev-cluster-name':
        flags.devClusterName = value;
        break;
      case 'dev-data-dir':
        flags.devDataDir = value;
        break;
      case 'config':
        flags.config = value;
        break;
      case 'log-level':
        flags.logLevel = value;
        break;
      case 'log-retention':
        flags.logRetention = Number(value);
        break;
      default:
        throw new Error(`flag provided but not defined: -${name}`);
    }
  }
  if (!flags.dev && !flags.config) throw new Error('one of -dev or -config=FILE is required');
  return flags;
}

export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid listen address "${addr}": expected HOST:PORT`);
  return { host: m[1], port: Number(m[2]) };
}
