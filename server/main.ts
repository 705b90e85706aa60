import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfigFile } from './config';
import { createLogger } from './log';
import { startNode, STORAGE_FILE, type CofferNode } from './node';
import { crashPointAt } from './replication/crash-points';
import { parseServerFlags, splitHostPort } from './server-flags';
import { labLinkFromEnv, setLabLink } from './lab-link';
import { DEFAULT_PROMETHEUS_RETENTION_MS } from './telemetry/settings';
import { memberAddresses } from './ha/raft-addresses';

// `coffer server`: wiring only. Flags/config → options → startNode.
const REPO_ROOT = resolve(new URL('..', import.meta.url).pathname);
/** Test-only (atomic-bootstrap regression test): kill -9 this process at a named step of enable/bootstrap. */
const CRASH_AT_ENV = 'COFFER_TEST_CRASH_AT';
const testCrashPoint = () => crashPointAt(process.env[CRASH_AT_ENV], () => process.kill(process.pid, 'SIGKILL'));

export async function runServer(args: string[]): Promise<void> {
  let flags;
  try {
    flags = parseServerFlags(args);
  } catch (err) {
    process.stderr.write(`Error parsing flags: ${(err as Error).message}\n\nUsage: coffer server -dev | -config=FILE\n`);
    process.exit(1);
  }
  try {
    if (flags.dev) await runDev(flags);
    else await runWithConfig(flags.config!, flags.logLevel, flags.logRetention, flags.devFaults);
  } catch (err) {
    const msg = err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err);
    process.stderr.write(`Error initializing core: ${msg}\n`);
    process.exit(1);
  }
}

async function runDev(flags: ReturnType<typeof parseServerFlags>): Promise<void> {
  const listen = splitHostPort(flags.devListenAddress);
  // A lab cluster names its data dir so a restart after a lab SIGKILL finds its data (and comes back sealed).
  const restarted = flags.devDataDir !== undefined && existsSync(join(flags.devDataDir, STORAGE_FILE));
  if (flags.devDataDir) mkdirSync(flags.devDataDir, { recursive: true, mode: 0o700 });
  const dataDir = flags.devDataDir ?? mkdtempSync(join(tmpdir(), 'coffer-dev-'));
  setLabLink(labLinkFromEnv(process.env)); // clusters started by `coffer lab` reach its control endpoint
  const logger = createLogger({ level: flags.logLevel ?? 'info' });
  const apiAddr = `http://${flags.devListenAddress}`;
  const node = await startNode({
    dataDir,
    listen,
    apiAddr,
    clusterAddr: `https://${listen.host}:${listen.port + 1}`,
    clusterName: flags.devClusterName ?? `coffer-cluster-${listen.port}`,
    nodeId: `node-${listen.port}`,
    ui: !flags.devNoUi,
    uiDir: REPO_ROOT,
    logger,
    logRetention: flags.logRetention,
    crashPoint: testCrashPoint(),
    devFaults: flags.devFaults,
  });
  if (restarted) {
    node.replication.ctx.devRootTokenId = flags.devRootTokenId ?? '';
    process.stdout.write(`==> Coffer dev server restarted on its data in ${dataDir} (sealed: unseal it with its unseal key)\n`);
    return handleSignals(node);
  }
  const init = await node.core.seal.init({ secret_shares: 1, secret_threshold: 1 }, { rootTokenId: flags.devRootTokenId, stayUnsealed: true });
  node.replication.ctx.devRootTokenId = init.root_token; // seed 003: dev secondaries accept the primary's root token
  node.core.mounts.enable('secret', { path: 'secret/', type: 'kv', options: { version: '2' }, description: 'key/value secret storage' });
  const addr = `http://${listen.host}:${node.port}`;
  process.stdout.write(
    [
      '==> Coffer server configuration:',
      '',
      `             Api Address: ${addr}`,
      `         Cluster Address: https://${listen.host}:${listen.port + 1}`,
      `              Listener 1: tcp (addr: "${listen.host}:${node.port}", tls: "disabled")`,
      `               Log Level: ${flags.logLevel ?? 'info'}`,
      `                 Storage: raft (sqlite: ${join(dataDir, 'coffer.db')})`,
      `                 Console: ${flags.devNoUi ? 'disabled' : `${addr}/ui/`}`,
      '',
      '==> Coffer server started! Log data will stream in below:',
      '',
      'WARNING! dev mode is enabled! In this mode, Coffer runs entirely from a',
      'throw-away data directory, is already initialized and unsealed, and the',
      'root token is already authenticated to the CLI, so you can immediately',
      'begin using Coffer.',
      '',
      'You may need to set the following environment variables:',
      '',
      `    $ export VAULT_ADDR='${addr}'`,
      '',
      'The unseal key and root token are displayed below in case you want to',
      'seal/unseal the Vault or re-authenticate.',
      '',
      `Unseal Key: ${init.keys_base64[0]}`,
      `Root Token: ${init.root_token}`,
      '',
      'Development mode should NOT be used in production installations!',
      '',
      '',
    ].join('\n'),
  );
  handleSignals(node, flags.devDataDir ? undefined : () => rmSync(dataDir, { recursive: true, force: true }));
}

async function runWithConfig(path: string, logLevelFlag?: string, logRetention?: number, devFaults = false): Promise<void> {
  const config = loadConfigFile(path);
  const logger = createLogger({ level: logLevelFlag ?? config.logLevel });
  const listen = splitHostPort(config.listener.address);
  setLabLink(labLinkFromEnv(process.env)); // `coffer lab -nodes=N` starts its nodes with a config file: they reach its control endpoint too
  const node = await startNode({
    dataDir: config.storage.path,
    maxEntrySize: config.storage.maxEntrySize,
    listen,
    tls: config.listener.tlsDisable ? undefined : { certFile: config.listener.tlsCertFile!, keyFile: config.listener.tlsKeyFile! },
    httpTimeouts: config.listener.httpTimeouts,
    statusFeedAllowedOrigins: config.listener.statusFeedAllowedOrigins,
    metrics: {
      prometheusRetentionMs: config.telemetry?.prometheusRetentionMs ?? DEFAULT_PROMETHEUS_RETENTION_MS,
      disableHostname: config.telemetry?.disableHostname ?? false,
      unauthenticatedAccess: config.listener.unauthenticatedMetricsAccess ?? false,
    },
    apiAddr: config.apiAddr,
    clusterAddr: config.clusterAddr,
    clusterName: config.clusterName,
    nodeId: config.storage.nodeId,
    raft:
      config.storage.type === 'raft'
        ? { addrs: memberAddresses(config.clusterAddr, config.listener.clusterAddress, config.storage.cluster), retryJoin: config.storage.cluster?.retryJoin ?? [], pathEnv: process.env.PATH ?? '' }
        : undefined,
    etcd: config.storage.etcd,
    disablePerformanceStandby: config.disablePerformanceStandby,
    userLockouts: config.userLockouts,
    ui: config.ui,
    uiDir: REPO_ROOT,
    logger,
    logRetention,
    crashPoint: testCrashPoint(),
    devFaults,
  });
  process.stdout.write(
    [
      '==> Coffer server configuration:',
      '',
      `             Api Address: ${config.apiAddr}`,
      `         Cluster Address: ${config.clusterAddr}`,
      `            Cluster Name: ${config.clusterName}`,
      `              Listener 1: tcp (addr: "${listen.host}:${node.port}", tls: "${config.listener.tlsDisable ? 'disabled' : 'enabled'}")`,
      `               Log Level: ${logLevelFlag ?? config.logLevel}`,
      `                 Storage: ${config.storage.type} (sqlite: ${join(config.storage.path, 'coffer.db')}${config.storage.etcd ? `; etcd: ${config.storage.etcd.endpoints.join(',')} at ${config.storage.etcd.prefix}` : ''})`,
      `                 Console: ${config.ui ? `${config.apiAddr}/ui/` : 'disabled'}`,
      '',
      `==> Coffer server started! ${node.core.barrier.initialized() ? 'Unseal it with `coffer operator unseal`.' : 'Initialize it with `coffer operator init`.'}`,
      '',
      '',
    ].join('\n'),
  );
  handleSignals(node);
}

function handleSignals(node: CofferNode, cleanup?: () => void): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('==> Coffer shutdown triggered\n');
    try {
      await node.close();
    } finally {
      cleanup?.();
      process.exit(0);
    }
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // As Vault: SIGHUP reopens file audit devices, so logrotate can rename the file and signal.
  process.on('SIGHUP', () => node.core.audit.reopen());
}
