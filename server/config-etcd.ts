import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { HclObject } from './hcl';
import { parseBoolish, parseDurationMs, parseUrl } from './config-values';

// storage "etcd": Vault's etcd backend stanza (address, ha_enabled, path,
// tls_ca_file, tls_cert_file, tls_key_file) pointed at an etcd cluster the user
// already runs. As in Vault, `path` is the key prefix in etcd. Coffer keeps
// each node's state in its own SQLite file too, so it needs two keys Vault's
// etcd backend does not have: `data_path` (that node's directory) and
// `node_id` (its name among the cluster's nodes, as storage "raft" has it).
// `lock_timeout` is Vault's name for the active's lock TTL: here the election
// lease (election.ts DEFAULT_LEASE_TTL_SECONDS says why its default is not
// Vault's 15 s).

export const ETCD_STORAGE_KEYS = new Set(['address', 'ha_enabled', 'path', 'tls_ca_file', 'tls_cert_file', 'tls_key_file', 'data_path', 'node_id', 'max_entry_size', 'lock_timeout']);
/** Vault's default address for its etcd backend. */
export const DEFAULT_ETCD_ADDRESS = 'http://localhost:2379';
/** The key prefix (ha-design.md: "/coffer/" for storage "etcd"). */
export const DEFAULT_ETCD_PREFIX = '/coffer/';

export interface EtcdStorageConfig {
  endpoints: string[];
  /** Key prefix under which the HA log, its state and the leader key live; ends with "/". */
  prefix: string;
  tls?: { caPem: string; certPem?: string; keyPem?: string };
  /** lock_timeout: the active's election lease in whole seconds (default election.ts DEFAULT_LEASE_TTL_SECONDS). */
  leaseTtlSeconds?: number;
}

type ErrFn = (msg: string) => Error;

/** The etcd part of the stanza; `data_path`, `node_id` and `max_entry_size` are read by the caller like storage "raft"'s path/node_id. */
export function parseEtcdStorage(body: HclObject, where: string, err: ErrFn): { etcd: EtcdStorageConfig; dataPath: string; nodeId: string } {
  const str = (key: string): string | undefined => {
    const v = body[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw err(`${where}: ${key} must be a non-empty string`);
    return v.trim();
  };
  const ha = body.ha_enabled === undefined ? true : parseBoolish(body.ha_enabled);
  if (ha === undefined) throw err(`${where}: ha_enabled must be true or false, got ${JSON.stringify(body.ha_enabled)}`);
  // Every node holds a copy and only the active writes: without the election there is nothing to keep them consistent.
  if (!ha) throw err(`${where}: ha_enabled = false is not supported: Coffer nodes on etcd always elect one active node`);
  const endpoints = (str('address') ?? DEFAULT_ETCD_ADDRESS).split(',').map((a) => a.trim()).filter(Boolean);
  for (const e of endpoints) if (!parseUrl(e)) throw err(`${where}: address ${JSON.stringify(e)} is not an http(s) URL`);
  let prefix = str('path') ?? DEFAULT_ETCD_PREFIX;
  if (!prefix.endsWith('/')) prefix += '/';
  const dataPath = str('data_path');
  if (!dataPath) throw err(`${where}: data_path is required (the directory of this node's own copy of the data)`);
  const etcd: EtcdStorageConfig = { endpoints, prefix };
  if (body.lock_timeout !== undefined) {
    const ms = parseDurationMs(body.lock_timeout);
    // etcd grants leases in whole seconds (and raises a shorter one to its minimum, 2 s at its default timings).
    if (ms === undefined || ms < 1000 || ms % 1000 !== 0) throw err(`${where}: lock_timeout must be a whole number of seconds, at least 1 ("2s"), got ${JSON.stringify(body.lock_timeout)}`);
    etcd.leaseTtlSeconds = ms / 1000;
  }
  const read = (key: string): string | undefined => {
    const file = str(key);
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw err(`${where}: ${key}: cannot read ${file}: ${(e as Error).message}`);
    }
  };
  const caPem = read('tls_ca_file');
  const certPem = read('tls_cert_file');
  const keyPem = read('tls_key_file');
  if ((certPem === undefined) !== (keyPem === undefined)) throw err(`${where}: tls_cert_file and tls_key_file go together`);
  if (caPem || certPem) {
    if (!endpoints.every((e) => e.startsWith('https:'))) throw err(`${where}: TLS files are set, so every address must be https://`);
    etcd.tls = { caPem: caPem ?? '', certPem, keyPem };
  }
  return { etcd, dataPath, nodeId: str('node_id') ?? hostname() };
}
