// One error type for everything that talks to etcd (the supervised member and
// the JSON-gateway client), so callers branch on a code instead of parsing
// messages: an election treats 'unavailable' and 'timeout' as "retry", while
// 'lease_not_found' means leadership is already gone.
export type EtcdErrorCode =
  /** No `etcd` binary on PATH. */
  | 'not_installed'
  /** The member exited or never became healthy; the message carries its last log lines. */
  | 'start_failed'
  /** No answer within the call's deadline. */
  | 'timeout'
  /** Connection refused / reset / closed before a full answer: the member is down or unreachable. */
  | 'unavailable'
  /** etcd answered with a gRPC error status (see grpcCode). */
  | 'rpc'
  | 'lease_not_found'
  /** A watch asked for history etcd has compacted away. */
  | 'compacted'
  /** The answer was not what etcd 3.4's gateway sends (bad JSON, a number beyond 2^53, …). */
  | 'bad_response'
  /** The caller asked for something etcd would refuse (empty batch, duplicate keys, too many ops). */
  | 'invalid_argument';

export class EtcdError extends Error {
  constructor(
    readonly code: EtcdErrorCode,
    message: string,
    opts?: ErrorOptions & { grpcCode?: number },
  ) {
    super(message, opts);
    this.name = 'EtcdError';
    this.grpcCode = opts?.grpcCode;
  }
  readonly grpcCode?: number;
  /** Worth retrying against the same or another member. */
  get transient(): boolean {
    return this.code === 'timeout' || this.code === 'unavailable' || (this.code === 'rpc' && this.grpcCode === GRPC_UNAVAILABLE);
  }
}

/** gRPC status 14, which etcd returns while it has no leader. */
export const GRPC_UNAVAILABLE = 14;
