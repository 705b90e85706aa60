import type { Barrier } from '../barrier/barrier';
import { LOCAL_SEAL_PATH } from '../barrier/local-seal';
import { badRequest, VaultError } from '../errors';
import type { Logger } from '../log';
import { answerMatches, makeNonce, sealNonce, sealReply, type SealRecord } from './join-challenge';

// The leader's half of the join protocol (sys/storage/raft/bootstrap/challenge
// and …/answer, unauthenticated like Vault's): hand out a challenge only an
// unseal-key holder can open, and admit the joiner as an etcd member only on
// a right answer. Callers without the keys get ciphertext, nothing else; the
// endpoints are bounded (pending challenges, challenges per minute, id length)
// and a wrong answer burns the challenge and is logged.

export const CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_PENDING_CHALLENGES = 16;
export const CHALLENGES_PER_MINUTE = 30;
const MINUTE_MS = 60_000;
const SERVER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Before unseal keys a rekeyed cluster kept its seal here; moved at its next unseal. */
const LEGACY_SEAL_PATHS = ['core/node/local-seal'];

export interface JoinerInfo {
  serverId: string;
  peerUrl: string;
  apiAddr: string;
  clusterAddr: string;
}

/** What a joiner needs to start its member (sealed under the nonce on the wire). */
export interface JoinReply {
  peer_ca_cert: string;
  peer_cert: string;
  peer_key: string;
  initial_cluster: Record<string, string>;
  cluster_token: string;
  prefix: string;
}

export interface ChallengeWire {
  server_id: string;
  challenge: string;
  seal_config: { secret_shares: number; secret_threshold: number };
  seal_record: { path: string; record: string } | null;
}

export class TooManyJoinRequests extends Error {}

interface Pending {
  nonce: Buffer;
  expires: number;
}

export class JoinGate {
  private readonly pending = new Map<string, Pending>();
  private recent: number[] = [];

  constructor(
    private readonly opts: {
      barrier: Barrier;
      logger: Logger;
      /** Adds the joiner as a member; runs one at a time. */
      admit: (joiner: JoinerInfo) => Promise<JoinReply>;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  challenge(serverId: unknown, remoteAddr?: string): ChallengeWire {
    const id = checkServerId(serverId);
    const now = this.now();
    this.recent = this.recent.filter((t) => now - t < MINUTE_MS);
    for (const [k, p] of this.pending) if (p.expires <= now) this.pending.delete(k);
    if (this.recent.length >= CHALLENGES_PER_MINUTE || (!this.pending.has(id) && this.pending.size >= MAX_PENDING_CHALLENGES)) {
      this.opts.logger.warn({ server_id: id, remote: remoteAddr }, 'raft join: challenge refused, too many join requests');
      throw new TooManyJoinRequests('too many join requests; try again later');
    }
    this.recent.push(now);
    const barrier = this.opts.barrier;
    const config = barrier.sealConfig();
    const rootKey = barrier.exportRootKey(); // throws sealed
    const nonce = makeNonce();
    let sealed: Buffer;
    try {
      sealed = sealNonce(rootKey, id, nonce);
    } finally {
      rootKey.fill(0);
    }
    this.pending.set(id, { nonce, expires: now + CHALLENGE_TTL_MS });
    const record = sealRecord(barrier);
    return {
      server_id: id,
      challenge: sealed.toString('base64'),
      seal_config: { secret_shares: config?.secret_shares ?? 0, secret_threshold: config?.secret_threshold ?? 0 },
      seal_record: record ? { path: record.path, record: record.record.toString('base64') } : null,
    };
  }

  async answer(data: Record<string, unknown>, remoteAddr?: string): Promise<{ reply: string }> {
    const id = checkServerId(data.server_id);
    const answer = typeof data.answer === 'string' ? Buffer.from(data.answer, 'base64') : Buffer.alloc(0);
    const p = this.pending.get(id);
    this.pending.delete(id); // one answer per challenge, right or wrong
    if (!p || p.expires <= this.now() || !answerMatches(p.nonce, id, answer)) {
      this.opts.logger.warn({ server_id: id, remote: remoteAddr, had_challenge: Boolean(p) }, 'raft join: wrong or unexpected challenge answer refused');
      throw new VaultError('permission_denied', 'the challenge answer does not match: unseal the joining node with this cluster\'s unseal keys');
    }
    const joiner: JoinerInfo = { serverId: id, peerUrl: url(data.peer_url, 'peer_url', 'https:'), apiAddr: url(data.api_addr, 'api_addr'), clusterAddr: url(data.cluster_addr, 'cluster_addr') };
    const reply = await this.opts.admit(joiner);
    this.opts.logger.info({ server_id: id, peer_url: joiner.peerUrl }, 'raft join: node admitted as a member');
    return { reply: sealReply(p.nonce, reply).toString('base64') };
  }
}

function checkServerId(v: unknown): string {
  if (typeof v !== 'string' || !SERVER_ID.test(v)) throw badRequest('server_id must be 1-128 letters, digits, dots, dashes or underscores');
  return v;
}

function url(v: unknown, field: string, protocol?: string): string {
  if (typeof v !== 'string' || v.length > 512) throw badRequest(`${field} is required`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw badRequest(`${field} must be a URL`);
  }
  if (protocol ? u.protocol !== protocol : u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest(`${field} must be an ${protocol ?? 'http(s)'} URL`);
  return v;
}

/** The stored seal record, sent as is: without the unseal key it is ciphertext. */
function sealRecord(barrier: Barrier): SealRecord | null {
  for (const path of [LOCAL_SEAL_PATH, ...LEGACY_SEAL_PATHS]) {
    const record = barrier.physical.get(path);
    if (record) return { path, record };
  }
  return null;
}
