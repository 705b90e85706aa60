import { createHash } from 'node:crypto';
import type { Backend } from '../core/backend';
import type { BackendRequest, Response } from '../core/request';
import type { StorageView } from '../core/storage-view';
import { badRequest } from '../errors';
import { handlePassthrough, passthroughExists } from './kv/passthrough';

// Cubbyhole: private key/value storage per token (vault/logical_cubbyhole.go).
// Every key lives under a folder named by a SHA-256 of the token ID, so one
// token can never reach another's entries, and the raw token never appears in
// a storage key (keys are not encrypted; values are).

export const CUBBYHOLE_TOKEN_TYPE_ERROR = 'cubbyhole operations are only supported by "service" type tokens';

/** The folder (ending in "/") holding a token's cubbyhole inside the mount's view. */
export function cubbyholeFolder(tokenId: string): string {
  return createHash('sha256').update(tokenId).digest('hex') + '/';
}

/** Erase a token's cubbyhole; the token store calls this when it revokes the token. */
export function destroyCubbyhole(storage: StorageView, tokenId: string): void {
  storage.sub(cubbyholeFolder(tokenId)).clear();
}

export class CubbyholeBackend implements Backend {
  readonly type = 'cubbyhole';

  constructor(private readonly storage: StorageView) {}

  async handle(req: BackendRequest): Promise<Response | null> {
    return handlePassthrough(this.viewFor(req), req.operation, req.path, req.data);
  }

  exists(req: BackendRequest): boolean {
    const tokenId = callerToken(req);
    return tokenId !== null && passthroughExists(this.storage.sub(cubbyholeFolder(tokenId)), req.path);
  }

  private viewFor(req: BackendRequest): StorageView {
    const tokenId = callerToken(req);
    if (tokenId === null) throw badRequest(CUBBYHOLE_TOKEN_TYPE_ERROR);
    return this.storage.sub(cubbyholeFolder(tokenId));
  }
}

/** Only service tokens own a cubbyhole: batch tokens are not stored, so nothing would clean it up. */
function callerToken(req: BackendRequest): string | null {
  const caller = req.caller;
  if (!caller || caller.tokenType !== 'service' || caller.tokenId === '') return null;
  return caller.tokenId;
}
