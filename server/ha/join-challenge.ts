import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { open, seal } from '../barrier/aes-gcm';

// The proof a joining node gives that it holds the cluster's unseal keys
// (Vault's raft bootstrap challenge: vault/raft.go, sealAccess.Encrypt of a
// UUID; our own wire). The leader seals a random nonce under its root key and
// hands it out with what turns shares into that root key: the seal record (the
// root key sealed under the unseal key; absent on data files from before
// unseal keys, where the shares make the root key itself). Only a holder of
// enough shares opens the nonce. The nonce itself never travels: the answer is
// an HMAC of it bound to the joiner's name, and the leader's reply (the peer
// certificate and key) is sealed under a key derived from it, so a caller
// without the keys — or an eavesdropper on a tls_disable listener — learns
// nothing that helps.

export const NONCE_BYTES = 32;
const CHALLENGE_AAD = 'coffer/raft-join/challenge/';
const REPLY_AAD = 'coffer/raft-join/reply';
const ANSWER_LABEL = 'coffer/raft-join/answer/';

/** The seal record as the leader stores it: the path is the record's additional data. */
export interface SealRecord {
  path: string;
  /** The stored JSON ({ config, wrappedRootKey }). */
  record: Buffer;
}

export interface Challenge {
  /** The nonce sealed under the root key (base64 on the wire). */
  sealedNonce: Buffer;
  sealRecord: SealRecord | null;
}

export function makeNonce(): Buffer {
  return randomBytes(NONCE_BYTES);
}

export function sealNonce(rootKey: Buffer, serverId: string, nonce: Buffer): Buffer {
  return seal(rootKey, 0, CHALLENGE_AAD + serverId, nonce);
}

/** The root key the combined shares lead to. Throws when they do not open the record. */
export function rootKeyFromShares(unsealKey: Buffer, sealRecord: SealRecord | null): Buffer {
  if (!sealRecord) return Buffer.from(unsealKey);
  const { wrappedRootKey } = JSON.parse(sealRecord.record.toString()) as { wrappedRootKey?: unknown };
  if (typeof wrappedRootKey !== 'string') throw new Error('malformed seal record');
  return open(unsealKey, sealRecord.path, Buffer.from(wrappedRootKey, 'base64'));
}

/** The nonce, opened with the root key. Throws when the key is not the cluster's. */
export function openNonce(rootKey: Buffer, serverId: string, sealedNonce: Buffer): Buffer {
  return open(rootKey, CHALLENGE_AAD + serverId, sealedNonce);
}

/** What the joiner sends back: HMAC(nonce, server id), never the nonce. */
export function answerFor(nonce: Buffer, serverId: string): Buffer {
  return createHmac('sha256', nonce).update(ANSWER_LABEL + serverId).digest();
}

export function answerMatches(nonce: Buffer, serverId: string, answer: Buffer): boolean {
  const want = answerFor(nonce, serverId);
  return answer.length === want.length && timingSafeEqual(answer, want);
}

function replyKey(nonce: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', nonce, Buffer.alloc(0), REPLY_AAD, 32));
}

/** The leader's reply, readable only by whoever opened the nonce. */
export function sealReply(nonce: Buffer, reply: unknown): Buffer {
  return seal(replyKey(nonce), 0, REPLY_AAD, Buffer.from(JSON.stringify(reply)));
}

export function openReply<T>(nonce: Buffer, sealed: Buffer): T {
  return JSON.parse(open(replyKey(nonce), REPLY_AAD, sealed).toString()) as T;
}
