import { KEYRING_PATH, SEAL_CONFIG_PATH } from '../barrier/barrier';
import { LEGACY_LOCAL_SEAL_PATH, LOCAL_SEAL_PATH } from '../barrier/local-seal';
import { badRequest } from '../errors';
import { classOf } from '../storage/key-class';
import { decodeSnapshot, encodeSnapshot, SnapshotFormatError } from '../storage/snapshot-format';
import type { StorageOp } from '../storage/backend';
import { CLUSTER_ID_PATH, NODE_CLUSTER_ID_PATH, type Core } from './core';

// `sys/storage/raft/snapshot` on Coffer's storage: save is a consistent dump
// read from the committed snapshot connection (storage/committed-reader.ts),
// so it never includes a write whose COMMIT later fails; restore replaces
// every replicated and local entry in ONE transaction, logged like any write,
// so replication secondaries follow it — and, in an HA cluster, so does every
// node: the restore is one storage transaction of the active, carried by the HA
// log like any write (a standby forwards the request). Only what differs is
// written (keys the snapshot lacks deleted, changed values put), which keeps
// the transaction, and the HA log batch, as small as the change. This node's
// own replication state
// (class `ignored`) is neither saved nor touched: a restore does not change
// which role a cluster plays. One `ignored` entry travels with the snapshot:
// the root key sealed under the cluster's unseal key (local-seal.ts), without
// which the snapshot could not be unsealed; a snapshot from an earlier build
// has it under core/node/ (or, never rekeyed, not at all: its shares are the
// root key's) and is installed as it came, moved at the next unseal.
const SEAL_PATHS = [LOCAL_SEAL_PATH, LEGACY_LOCAL_SEAL_PATH];

export function saveSnapshot(core: Core): Buffer {
  const { position, entries } = core.physical.reader.everything();
  for (const key of SEAL_PATHS) {
    const value = core.physical.get(key);
    if (value) entries.push({ key, value });
  }
  return encodeSnapshot({ cluster_id: core.clusterId(), index: position.index, guard: position.guard, created_at: new Date().toISOString() }, entries);
}

export interface RestoreOutcome {
  entries: number;
  /** The snapshot came from other keys (snapshot-force): this node is sealed and opens with those keys. */
  sealed: boolean;
}

export async function restoreSnapshot(core: Core, file: Buffer | undefined, force: boolean): Promise<RestoreOutcome> {
  const modes = core.replicationModes();
  for (const [kind, mode] of Object.entries(modes))
    if (mode === 'secondary' || mode === 'bootstrapping')
      throw badRequest(`cannot restore a snapshot on a ${kind === 'dr' ? 'DR' : 'performance'} secondary: restore it on the primary, whose secondaries then follow`);
  if (!file?.length) throw badRequest('no snapshot in the request body: send the file as the body (coffer operator raft snapshot restore FILE)');
  let snap;
  try {
    snap = decodeSnapshot(file);
  } catch (err) {
    if (err instanceof SnapshotFormatError) throw badRequest(`invalid snapshot: ${err.message}`);
    throw err;
  }
  const incoming = new Map(snap.entries.filter((e) => classOf(e.key) !== 'ignored').map((e) => [e.key, e.value]));
  const incomingSeal = snap.entries.find((e) => SEAL_PATHS.includes(e.key)) ?? null;
  const keyring = incoming.get(KEYRING_PATH);
  if (!keyring || !incoming.has(SEAL_CONFIG_PATH)) throw badRequest('invalid snapshot: it holds no keyring or seal configuration');
  const sameKeys = core.barrier.opensKeyring(keyring);
  if (!sameKeys && !force)
    throw badRequest(
      "the snapshot's keyring does not open with this cluster's root key: it was taken on another cluster or before a rekey. Use snapshot-force (coffer operator raft snapshot restore -force) to install it anyway; this node will then be sealed and open only with the unseal keys of the cluster the snapshot came from",
    );
  const ops: StorageOp[] = [];
  // In an HA cluster the active writes the restore to the cluster's log first and seals after (sealed, it could not write).
  const haActive = Boolean(core.opts.ha?.runtime);
  if (!sameKeys) {
    // This node's replication state is sealed under the keys being replaced: it would be lost.
    for (const [kind, mode] of Object.entries(modes))
      if (mode !== 'disabled') throw badRequest(`disable ${kind === 'dr' ? 'DR' : 'performance'} replication on this cluster before installing a snapshot taken under other keys`);
    // Under other keys a lone node seals first: nothing may read the new entries with the old keyring.
    if (!haActive) core.seal.seal();
    // The node's id is sealed under the old keys too: a new one is made at unseal. Its unseal keys become the snapshot's.
    ops.push({ op: 'delete', key: CLUSTER_ID_PATH }, { op: 'delete', key: NODE_CLUSTER_ID_PATH });
    for (const key of SEAL_PATHS)
      ops.push(incomingSeal?.key === key ? { op: 'put', key, value: incomingSeal.value } : { op: 'delete', key });
  }
  const gone = core.physical.keysUnder('').filter((k) => classOf(k) !== 'ignored' && !incoming.has(k));
  const changed = [...incoming].filter(([key, value]) => !core.physical.get(key)?.equals(value));
  ops.push(...gone.map((key) => ({ op: 'delete' as const, key })), ...changed.map(([key, value]) => ({ op: 'put' as const, key, value })));
  core.physical.transaction(ops);
  core.logger.warn({ entries: incoming.size, removed: gone.length, changed: changed.length, snapshot_index: snap.header.index, force, same_keys: sameKeys }, 'snapshot restored');
  if (!sameKeys) {
    if (haActive) {
      // Every node has it once the cluster's log does; the standbys seal as they apply it (ha/ha-keyring-follow.ts).
      await core.physical.flushed();
      core.seal.seal();
    }
    return { entries: incoming.size, sealed: true };
  }
  // Same root key, perhaps another keyring term (a rotate since): open the restored keyring.
  const rootKey = core.barrier.exportRootKey();
  try {
    core.barrier.unseal(rootKey);
  } finally {
    rootKey.fill(0); // unseal keeps its own copy
  }
  return { entries: incoming.size, sealed: false };
}
