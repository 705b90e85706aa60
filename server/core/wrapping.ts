import { createHash } from 'node:crypto';
import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';
import { newAccessor, newServiceTokenId } from './ids';
import type { WrapInfo } from './request';

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
}

const keyOf = (token: string) => PREFIX + createHash('sha256').update(token).digest('hex');

export const invalidWrapToken = () => badRequest('wrapping token is not valid or does not exist');

export class WrappingStore {
  constructor(private readonly barrier: Barrier) {}

  wrap(response: Record<string, unknown>, ttl: number, creationPath: string, opts: { tokenId?: string; wrappedAccessor?: string } = {}): WrapInfo {
    const token = opts.tokenId ?? newServiceTokenId();
    const entry: WrapEntry = {
      response,
      accessor: newAccessor(),
      creationTime: new Date().toISOString(),
      creationPath,
      ttl,
      expireTime: Date.now() + ttl * 1000,
      wrappedAccessor: opts.wrappedAccessor,
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

  private live(token: string): WrapEntry {
    if (typeof token !== 'string' || !token) throw invalidWrapToken();
    const entry = this.barrier.getJSON<WrapEntry>(keyOf(token));
    if (!entry) throw invalidWrapToken();
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
  unwrap(token: string): Record<string, unknown> {
    const entry = this.live(token);
    this.barrier.delete(keyOf(token));
    return entry.response;
  }

  lookup(token: string): Record<string, unknown> {
    const e = this.live(token);
    return { creation_path: e.creationPath, creation_time: e.creationTime, creation_ttl: e.ttl };
  }

  rewrap(token: string): WrapInfo {
    const e = this.live(token);
    this.barrier.delete(keyOf(token));
    return this.wrap(e.response, e.ttl, e.creationPath, { wrappedAccessor: e.wrappedAccessor });
  }

  /** Revoke without reading (revoke-secondary of an unused activation token). */
  revoke(token: string): void {
    this.barrier.delete(keyOf(token));
  }
}
