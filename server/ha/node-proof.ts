import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

// Who a standby forwards to is read from etcd's leader key, and whoever can
// write etcd can change that address while keeping the key's lease (the
// active's fence still passes, so nobody notices). A forwarded request carries
// the client's token, so before the first request to an address the standby
// asks that node to prove it holds the cluster's root key: an HMAC of a fresh
// nonce, its node id and its own api_addr under a key derived from the root
// key — the address too, or a forged one could relay the real active's proof
// (the standby checks it against the address it dialed). The cluster's
// unsealed nodes hold the root key; so do its replication secondaries, which
// can read everything anyway. Vault gets the same from the mutual TLS of its cluster port.

export const NODE_PROOF_PATH = 'sys/ha/node-proof';
const KEY_LABEL = 'coffer/ha/node-proof';
const NONCE_BYTES = 16;
const NONCE = /^[0-9a-f]{32}$/;

function keyOf(rootKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), KEY_LABEL, 32));
}

function mac(rootKey: Buffer, nonce: string, nodeId: string, apiAddr: string): Buffer {
  return createHmac('sha256', keyOf(rootKey)).update(`${nonce}\n${nodeId}\n${apiAddr}`).digest();
}

export function newNodeProofNonce(): string {
  return randomBytes(NONCE_BYTES).toString('hex');
}

/** The answered node's side; undefined for a nonce that is not one a standby makes. */
export function proveNode(rootKey: Buffer, nonce: unknown, nodeId: string, apiAddr: string): string | undefined {
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) return undefined;
  return mac(rootKey, nonce, nodeId, apiAddr).toString('hex');
}

/** `apiAddr`: the address the standby dialed (the leader key's api_address). */
export function nodeProofMatches(rootKey: Buffer, nonce: string, nodeId: string, apiAddr: string, proof: unknown): boolean {
  if (typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) return false;
  return timingSafeEqual(Buffer.from(proof, 'hex'), mac(rootKey, nonce, nodeId, apiAddr));
}
