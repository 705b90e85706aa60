import { createHash } from 'node:crypto';
import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';
import { newAccessor, newServiceTokenId } from './ids';
import type { WrapInfo } from './request';
import { checkRequestedWrapTtl } from './wrap-ttl';

// Response wrapping (vault/wrapping.go): the response is stored behind a
// single-use token with a TTL. Stored under sys/wrapping/ (class `local`).
const PREFIX = 'sys/wrapping/';

interface WrapEntry {
  response: Record<string, unknown>;
  accessor: string;
  creationTime: string;
  creationPath: string;
  ttl: number;
  expireTime: number;
  wrappedAccessor?: string;
  /** Redeemable only through a signed JWT naming it (activation tokens): the bare id is not enough. */
  jwtOnly?: boolean;
}

/** What a wrapping token is stored under: its SHA-256, never the id itself. */
export const wrapTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const keyOf = (token: string) => PREFIX + wrapTokenHash(token);

export const invalidWrapToken = () => badRequest('wrapping token is not valid or does not exist');

export class WrappingStore {
  constructor(private readonly barrier: Barrier) {}

  wrap(response: Record<string, unknown>, ttl: number, creationPath: string, opts: { tokenId?: string; wrappedAccessor?: string; jwtOnly?: boolean } = {}): WrapInfo {
    checkRequestedWrapTtl(ttl); // no wrapping token outlives the system max TTL, whoever asks
    const token = opts.tokenId ?? newServiceTokenId();
    const entry: WrapEntry = {
      response,
      accessor: newAccessor(),
      creationTime: new Date().toISOString(),
      creationPath,
      ttl,
      expireTime: Date.now() + ttl * 1000,
      wrappedAccessor: opts.wrappedAccessor,
      ...(opts.jwtOnly ? { jwtOnly: true } : {}),
    };
    this.barrier.putJSON(keyOf(token), entry);
    return {
      token,
      accessor: entry.accessor,
      ttl,
      creation_time: entry.creationTime,
      creation_path: creationPath,
      ...(opts.wrappedAccessor ? { wrapped_accessor: opts.wrappedAccessor } : {}),
    };
  }

  /** viaJwt: the caller verified a signed JWT whose jti is `token`. */
  private live(token: string, viaJwt = false): WrapEntry {
    if (typeof token !== 'string' || !token) throw invalidWrapToken();
    const entry = this.barrier.getJSON<WrapEntry>(keyOf(token));
    if (!entry || (entry.jwtOnly && !viaJwt)) throw invalidWrapToken();
    if (entry.expireTime <= Date.now()) {
      this.barrier.delete(keyOf(token));
      throw invalidWrapToken();
    }
    return entry;
  }

  isWrappingToken(token: string): boolean {
    try {
      this.live(token);
      return true;
    } catch {
      return false;
    }
  }

  /** Single use: the entry is deleted before the response is returned. */
  unwrap(token: string, opts: { viaJwt?: boolean } = {}): Record<string, unknown> {
    const entry = this.live(token, opts.viaJwt);
    this.barrier.delete(keyOf(token));
    return entry.response;
  }

  lookup(token: string, opts: { viaJwt?: boolean } = {}): Record<string, unknown> {
    const e = this.live(token, opts.viaJwt);
    return { creation_path: e.creationPath, creation_time: e.creationTime, creation_ttl: e.ttl };
  }

  rewrap(token: string): WrapInfo {
    const e = this.live(token);
    this.barrier.delete(keyOf(token));
    return this.wrap(e.response, e.ttl, e.creationPath, { wrappedAccessor: e.wrappedAccessor });
  }

  /** Revoke without reading. */
  revoke(token: string): void {
    this.barrier.delete(keyOf(token));
  }

  /** Revoke by wrapTokenHash(token), for callers that keep only the hash (revoke-secondary). */
  revokeByHash(hash: string): void {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error('revokeByHash: not a SHA-256 hex digest');
    this.barrier.delete(PREFIX + hash);
  }
}
