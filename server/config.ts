import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { HclSyntaxError, labelledBlocks, parseHcl, type HclObject } from './hcl';
import { parseBoolish, parseHostPort, parseLogLevel, parseUrl, type LogLevel } from './config-values';
import { LISTENER_HTTP_KEYS, parseListenerHttp, type ListenerHttpConfig } from './config-listener-http';
import { MAX_MAX_ENTRY_SIZE, MIN_MAX_ENTRY_SIZE } from './storage/entry-size';
import { parseUserLockouts } from './config-user-lockout';
import { parseTelemetry, type TelemetryConfig } from './config-telemetry';
import type { UserLockoutDefaults } from './core/user-lockout-config';
import { parseRaftCluster, RAFT_CLUSTER_KEYS, type RaftClusterConfig } from './config-raft';
import { ETCD_STORAGE_KEYS, parseEtcdStorage, type EtcdStorageConfig } from './config-etcd';

// The server configuration file, in Vault's shape (HCL1 or JSON), parsed and
// validated once at startup; the rest of the server gets plain options. We
// refuse what we do not implement rather than ignore it, so a Vault config
// that would behave differently here fails loudly instead.

export type { LogLevel } from './config-values';

export interface ListenerConfig extends ListenerHttpConfig {
  address: string;
  clusterAddress: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

export interface ServerConfig {
  /** maxEntrySize: only when set (raft's max_entry_size); storage defaults it to 1 MiB. */
  /** path: this node's data directory (storage "etcd": its data_path); etcd: only for storage "etcd" (config-etcd.ts). */
  storage: { type: 'raft' | 'file' | 'etcd'; path: string; nodeId: string; maxEntrySize?: number; etcd?: EtcdStorageConfig; cluster?: RaftClusterConfig };
  /** Exactly one tcp listener for now. */
  listener: ListenerConfig;
  /** Default: http(s)://<listener address> (https unless tls_disable). */
  apiAddr: string;
  /** Default: https://<listener cluster_address>. */
  clusterAddr: string;
  /** Default: 'coffer-cluster-' + 8 hex chars (random: persist it on first start). */
  clusterName: string;
  /** Default false in a config file, as in Vault. */
  ui: boolean;
  logLevel: LogLevel;
  disableMlock: boolean;
  /** HA standbys forward every request instead of serving reads (Vault Enterprise's disable_performance_standby); only when true. */
  disablePerformanceStandby?: boolean;
  /** Kept as written ("768h", 3600, …); not interpreted yet. */
  defaultLeaseTtl?: string;
  maxLeaseTtl?: string;
  /** The telemetry stanza's settings, only when present. */
  telemetry?: TelemetryConfig;
  /** user_lockout stanzas by auth type ("all", "userpass", …), only when present. */
  userLockouts?: UserLockoutDefaults;
}

export class ConfigError extends Error {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_LISTENER_ADDRESS = '127.0.0.1:8200';
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
export const CLUSTER_NAME_PREFIX = 'coffer-cluster-';

const TOP_LEVEL_KEYS = new Set([
  'storage',
  'listener',
  'api_addr',
  'cluster_addr',
  'cluster_name',
  'ui',
  'log_level',
  'disable_mlock',
  'telemetry',
  'default_lease_ttl',
  'max_lease_ttl',
  'user_lockout',
  'disable_performance_standby',
]);
const STORAGE_KEYS: Record<ServerConfig['storage']['type'], Set<string>> = {
  raft: new Set(['path', 'node_id', 'max_entry_size', ...RAFT_CLUSTER_KEYS]),
  file: new Set(['path']),
  etcd: ETCD_STORAGE_KEYS,
};
const LISTENER_KEYS = new Set(['address', 'cluster_address', 'tls_disable', 'tls_cert_file', 'tls_key_file', ...LISTENER_HTTP_KEYS]);

/** Parse config text. `source` (a file name) prefixes every error message. */
export function parseConfig(text: string, source = 'config'): ServerConfig {
  const err = (msg: string, opts?: ErrorOptions) => new ConfigError(`${source}: ${msg}`, opts);
  let doc: HclObject;
  try {
    doc = parseHcl(text);
  } catch (e) {
    if (!(e instanceof HclSyntaxError)) throw e;
    const at = e.line === undefined ? '' : `${e.line}:${e.column}: `;
    throw new ConfigError(`${source}:${at}HCL syntax error: ${e.detail}`, { cause: e });
  }

  for (const key of Object.keys(doc)) {
    if (key === 'seal') {
      const blocks = labelledBlocks(doc.seal) ?? [];
      const name = blocks[0] ? `seal "${blocks[0].label}"` : 'seal';
      throw err(`${name} is not supported: Coffer uses Shamir unseal keys`);
    }
    if (!TOP_LEVEL_KEYS.has(key)) throw err(`unknown ${describeKey(doc[key])} "${key}"`);
  }

  const storage = parseStorage(doc.storage, err);
  const listener = parseListener(doc.listener, err);
  const scheme = listener.tlsDisable ? 'http' : 'https';

  const str = (key: string): string | undefined => {
    const v = doc[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw err(`${key} must be a string`);
    return v;
  };
  const url = (key: string): string | undefined => {
    const v = str(key);
    if (v === undefined) return undefined;
    const parsed = parseUrl(v);
    if (!parsed) throw err(`${key} = ${JSON.stringify(v)} is not an http(s) URL`);
    return parsed;
  };
  const bool = (key: string): boolean => {
    const v = doc[key];
    if (v === undefined) return false;
    const b = parseBoolish(v);
    if (b === undefined) throw err(`${key} must be true or false, got ${JSON.stringify(v)}`);
    return b;
  };
  const duration = (key: string): string | undefined => {
    const v = doc[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw err(`${key} must be a duration such as "768h"`);
    return String(v);
  };

  const telemetry = parseTelemetry(doc.telemetry, err);

  let logLevel = DEFAULT_LOG_LEVEL;
  const rawLevel = str('log_level');
  if (rawLevel !== undefined) {
    const level = parseLogLevel(rawLevel);
    if (!level) throw err(`log_level ${JSON.stringify(rawLevel)} is not one of trace, debug, info, warn, error`);
    logLevel = level;
  }

  const clusterName = str('cluster_name')?.trim() || CLUSTER_NAME_PREFIX + randomBytes(4).toString('hex');

  const config: ServerConfig = {
    storage,
    listener,
    apiAddr: url('api_addr') ?? `${scheme}://${listener.address}`,
    clusterAddr: url('cluster_addr') ?? `https://${listener.clusterAddress}`,
    clusterName,
    ui: bool('ui'),
    logLevel,
    disableMlock: bool('disable_mlock'),
  };
  const defaultLeaseTtl = duration('default_lease_ttl');
  const maxLeaseTtl = duration('max_lease_ttl');
  if (defaultLeaseTtl !== undefined) config.defaultLeaseTtl = defaultLeaseTtl;
  if (maxLeaseTtl !== undefined) config.maxLeaseTtl = maxLeaseTtl;
  if (bool('disable_performance_standby')) config.disablePerformanceStandby = true;
  if (telemetry) config.telemetry = telemetry;
  const userLockouts = parseUserLockouts(doc.user_lockout, err);
  if (userLockouts) config.userLockouts = userLockouts;
  return config;
}

/** Read and parse a config file; errors name the file. */
export function loadConfigFile(path: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${path}: cannot read config file: ${(e as Error).message}`, { cause: e });
  }
  return parseConfig(text, path);
}

type ErrFn = (msg: string) => ConfigError;

function parseStorage(value: unknown, err: ErrFn): ServerConfig['storage'] {
  if (value === undefined) throw err('a storage stanza is required, e.g. storage "raft" { path = "/var/lib/coffer" }');
  const blocks = labelledBlocks(value);
  if (!blocks) throw err('storage must be a labelled block: storage "raft" { … }');
  if (blocks.length > 1) throw err(`only one storage stanza is allowed, found ${blocks.length}`);
  const { label, body } = blocks[0];
  const where = `storage "${label}"`;
  if (label !== 'raft' && label !== 'file' && label !== 'etcd') {
    throw err(`${where}: storage type "${label}" is not supported (use "raft", "etcd" or "file")`);
  }
  checkKeys(body, STORAGE_KEYS[label], where, err);
  if (label === 'etcd') {
    const { etcd, dataPath, nodeId } = parseEtcdStorage(body, where, err);
    const storage: ServerConfig['storage'] = { type: label, path: dataPath, nodeId, etcd };
    const maxEntrySize = parseMaxEntrySize(body.max_entry_size, where, err);
    if (maxEntrySize !== undefined) storage.maxEntrySize = maxEntrySize;
    return storage;
  }
  const path = body.path;
  if (path === undefined) throw err(`${where}: path is required`);
  if (typeof path !== 'string' || path.trim() === '') throw err(`${where}: path must be a non-empty string`);
  const nodeId = body.node_id;
  if (nodeId !== undefined && (typeof nodeId !== 'string' || nodeId.trim() === '')) {
    throw err(`${where}: node_id must be a non-empty string`);
  }
  // Vault would generate and persist a UUID; the host name is stable across
  // restarts without touching the disk here.
  const storage: ServerConfig['storage'] = { type: label, path, nodeId: (nodeId as string | undefined) ?? hostname() };
  const maxEntrySize = parseMaxEntrySize(body.max_entry_size, where, err);
  if (maxEntrySize !== undefined) storage.maxEntrySize = maxEntrySize;
  const cluster = label === 'raft' ? parseRaftCluster(body, where, err) : undefined;
  if (cluster) storage.cluster = cluster;
  return storage;
}

/** Bytes, as a number or a numeric string (Vault reads raft parameters as strings). */
function parseMaxEntrySize(v: unknown, where: string, err: ErrFn): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw err(`${where}: max_entry_size must be a number of bytes, got ${JSON.stringify(v)}`);
  if (n < MIN_MAX_ENTRY_SIZE || n > MAX_MAX_ENTRY_SIZE) {
    throw err(`${where}: max_entry_size must be between ${MIN_MAX_ENTRY_SIZE} and ${MAX_MAX_ENTRY_SIZE} bytes (one entry must fit a replication frame), got ${n}`);
  }
  return n;
}

function parseListener(value: unknown, err: ErrFn): ListenerConfig {
  if (value === undefined) throw err('a listener stanza is required, e.g. listener "tcp" { address = "127.0.0.1:8200" }');
  const blocks = labelledBlocks(value);
  if (!blocks) throw err('listener must be a labelled block: listener "tcp" { … }');
  if (blocks.length > 1) throw err(`only one listener stanza is supported for now, found ${blocks.length}`);
  const { label, body } = blocks[0];
  const where = `listener "${label}"`;
  if (label !== 'tcp') throw err(`${where}: listener type "${label}" is not supported (use "tcp")`);
  checkKeys(body, LISTENER_KEYS, where, err);

  const str = (key: string): string | undefined => {
    const v = body[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw err(`${where}: ${key} must be a non-empty string`);
    return v.trim();
  };

  const address = str('address') ?? DEFAULT_LISTENER_ADDRESS;
  const hp = parseHostPort(address);
  if (!hp) throw err(`${where}: address ${JSON.stringify(address)} must be host:port`);
  const clusterAddress = str('cluster_address') ?? `${hp.hostPart}:${hp.port + 1}`;
  if (!parseHostPort(clusterAddress)) throw err(`${where}: cluster_address ${JSON.stringify(clusterAddress)} must be host:port`);

  let tlsDisable = false;
  if (body.tls_disable !== undefined) {
    const b = parseBoolish(body.tls_disable);
    if (b === undefined) throw err(`${where}: tls_disable must be true, false, 1 or 0, got ${JSON.stringify(body.tls_disable)}`);
    tlsDisable = b;
  }
  const tlsCertFile = str('tls_cert_file');
  const tlsKeyFile = str('tls_key_file');
  const listener: ListenerConfig = { address, clusterAddress, tlsDisable };
  if (!tlsDisable) {
    const missing = [!tlsCertFile && 'tls_cert_file', !tlsKeyFile && 'tls_key_file'].filter(Boolean);
    if (missing.length) {
      throw err(`${where}: TLS is enabled, so ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required (or set tls_disable = true)`);
    }
  }
  if (tlsCertFile) listener.tlsCertFile = tlsCertFile;
  if (tlsKeyFile) listener.tlsKeyFile = tlsKeyFile;
  Object.assign(listener, parseListenerHttp(body, where, err));
  return listener;
}

function checkKeys(body: HclObject, allowed: Set<string>, where: string, err: ErrFn): void {
  for (const key of Object.keys(body)) {
    if (!allowed.has(key)) throw err(`${where}: unknown ${describeKey(body[key])} "${key}"`);
  }
}

// HCL1 JSON shape: blocks are arrays of objects; everything else is a value.
const describeKey = (v: unknown) => (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x)) ? 'stanza' : 'key');
