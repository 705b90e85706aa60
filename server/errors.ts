// Typed errors thrown deep in the stack and mapped to an HTTP status once, at
// the edge (server/http/respond.ts). Mirrors vault sdk/logical/error.go.
export type ErrorCode =
  | 'invalid_request'
  | 'permission_denied'
  | 'unsupported_path'
  | 'not_found'
  | 'method_not_allowed'
  | 'too_large'
  | 'sealed'
  | 'uninitialized'
  | 'unsupported_operation'
  /** A write this node does not own (storage/write-ownership.ts); core forwards it when it can. */
  | 'read_only'
  /** The cluster's HA log could not take a write (quorum or leadership lost): nothing acknowledged; retry on the active. */
  | 'unavailable'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  permission_denied: 403,
  unsupported_path: 404,
  not_found: 404,
  method_not_allowed: 405,
  too_large: 413,
  sealed: 503,
  uninitialized: 503,
  unsupported_operation: 405,
  read_only: 400,
  unavailable: 503,
  internal: 500,
};

export class VaultError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    opts?: ErrorOptions,
  ) {
    super(message, opts);
    this.name = 'VaultError';
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/**
 * A login refused for a wrong secret (vault logical.ErrInvalidCredentials):
 * a 400 like any bad request, and the one failure that counts toward user lockout.
 */
export class InvalidCredentialsError extends VaultError {
  constructor(message = 'invalid username or password') {
    super('invalid_request', message);
    this.name = 'InvalidCredentialsError';
  }
}

export const badRequest = (msg: string) => new VaultError('invalid_request', msg);
export const permissionDenied = () => new VaultError('permission_denied', 'permission denied');
export const unsupportedPath = (path: string) =>
  new VaultError('unsupported_path', `no handler for route "${path}". route entry not found.`);
export const sealedError = () => new VaultError('sealed', 'Vault is sealed');
