import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePortPair } from './ports';

// Spawns real `bin/coffer server` processes on free loopback ports for
// integration tests. No in-process shortcuts: every server is its own OS
// process with its own SQLite file.
export const REPO_ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const COFFER_BIN = process.env.COFFER_TEST_BIN ?? join(REPO_ROOT, 'bin/coffer');

export interface ServerProcess {
  addr: string;
  port: number;
  proc: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for exit. */
  kill(): Promise<void>;
}

export interface DevServer extends ServerProcess {
  rootToken: string;
  unsealKeys: string[];
}

function spawnServer(args: string[], port: number, opts: { umask?: string; env?: Record<string, string> } = {}): ServerProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', ...opts.env };
  // With a umask: through sh, which sets it and execs the server (same pid, so signals still reach it).
  const proc = opts.umask
    ? spawn('/bin/sh', ['-c', `umask ${opts.umask} && exec "$0" "$@"`, COFFER_BIN, 'server', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(COFFER_BIN, ['server', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  // COFFER_TEST_OUTPUT_DIR keeps every server's output in a file, for chasing a failure seen once in a long run.
  const keep = process.env.COFFER_TEST_OUTPUT_DIR ? join(process.env.COFFER_TEST_OUTPUT_DIR, `coffer-${port}-${proc.pid}.log`) : undefined;
  const onData = (d: Buffer) => {
    out += d;
    if (keep) appendFileSync(keep, d);
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const waitExit = async (signal: NodeJS.Signals) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    await exited;
  };
  return {
    addr: `http://127.0.0.1:${port}`,
    port,
    proc,
    output: () => out,
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
  };
}

export async function waitForHealth(addr: string, proc: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`coffer server exited with ${proc.exitCode}:\n${output()}`);
    try {
      const r = await fetch(`${addr}/v1/sys/health?sealedcode=200&uninitcode=200`);
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`coffer server at ${addr} not healthy after ${timeoutMs} ms:\n${output()}`);
}

export async function startDevServer(opts: { rootToken?: string; ui?: boolean; args?: string[]; healthTimeoutMs?: number } = {}): Promise<DevServer> {
  const port = await freePortPair();
  const rootToken = opts.rootToken ?? 'root-' + randomBytes(6).toString('hex');
  const args = ['-dev', `-dev-root-token-id=${rootToken}`, `-dev-listen-address=127.0.0.1:${port}`, ...(opts.ui ? [] : ['-dev-no-ui']), ...(opts.args ?? [])];
  const s = spawnServer(args, port);
  await waitForHealth(s.addr, s.proc, s.output, opts.healthTimeoutMs).catch(async (err) => {
    await s.kill(); // no orphan holding the port
    throw err;
  });
  const key = /Unseal Key: (\S+)/.exec(s.output())?.[1];
  return { ...s, rootToken, unsealKeys: key ? [key] : [] };
}

export interface ConfiguredServer extends ServerProcess {
  dataDir: string;
  configFile: string;
  /** Start the same node again (same data dir and port) after stop/kill. */
  restart(): Promise<ConfiguredServer>;
}

export interface ConfiguredServerOptions {
  dataDir?: string;
  port?: number;
  name?: string;
  args?: string[];
  /** Extra lines inside the storage stanza (e.g. max_entry_size = 65536). */
  storageExtra?: string;
  /** Extra lines inside the listener "tcp" stanza (e.g. http_read_header_timeout = "1s"). */
  listenerExtra?: string;
  /** Where to write coffer.hcl; default: inside the data dir. */
  configDir?: string;
  /** Start the process under this umask (e.g. '000'). */
  umask?: string;
  /** Extra top-level stanzas (e.g. user_lockout "all" { … }). */
  extraConfig?: string;
  /** Extra environment for this process only (e.g. COFFER_TEST_CRASH_AT); restart() starts without it. */
  env?: Record<string, string>;
  /** How long to wait for the process to answer sys/health (default 30 s); on timeout it is killed. */
  healthTimeoutMs?: number;
}

/** A server from an HCL config file with a persistent data dir (survives restarts). */
export async function startConfiguredServer(opts: ConfiguredServerOptions = {}): Promise<ConfiguredServer> {
  const port = opts.port ?? (await freePortPair());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'coffer-it-'));
  const configFile = join(opts.configDir ?? dataDir, 'coffer.hcl');
  writeFileSync(
    configFile,
    `storage "raft" {
  path    = "${dataDir}"
  node_id = "${opts.name ?? 'node'}-${port}"
${opts.storageExtra ?? ''}
}
listener "tcp" {
  address         = "127.0.0.1:${port}"
  cluster_address = "127.0.0.1:${port + 1}"
  tls_disable     = 1
${opts.listenerExtra ?? ''}
}
api_addr     = "http://127.0.0.1:${port}"
cluster_addr = "https://127.0.0.1:${port + 1}"
cluster_name = "${opts.name ?? 'coffer'}-${port}"
log_level    = "warn"
${opts.extraConfig ?? ''}
`,
  );
  const s = spawnServer([`-config=${configFile}`, ...(opts.args ?? [])], port, { umask: opts.umask, env: opts.env });
  await waitForHealth(s.addr, s.proc, s.output, opts.healthTimeoutMs).catch(async (err) => {
    await s.kill(); // never leave a process that may still come up on the port
    throw err;
  });
  return { ...s, dataDir, configFile, restart: () => startConfiguredServer({ ...opts, dataDir, port, env: undefined }) };
}

/** Minimal JSON call for tests: returns status and parsed body. */
export async function api(addr: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const r = await fetch(`${addr}/v1/${path}`, {
    method,
    headers: { ...(opts.token ? { 'X-Vault-Token': opts.token } : {}), ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...opts.headers },
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await r.text();
  let body: any = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: r.status, body, headers: r.headers };
}
