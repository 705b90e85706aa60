// The Vault request/response model (vault sdk/logical/request.go, response.go).
// HTTP turns wire requests into these; backends answer with these.

export type Operation = 'read' | 'create' | 'update' | 'delete' | 'list' | 'patch';

/** What a login backend returns; the core turns it into a token. */
export interface AuthResult {
  policies: string[];
  displayName: string;
  metadata?: Record<string, string>;
  /** seconds; 0 means the mount/system default */
  ttl?: number;
  explicitMaxTtl?: number;
  period?: number;
  numUses?: number;
  renewable?: boolean;
  tokenType?: 'service' | 'batch';
  entityId?: string;
  /** token_no_default_policy: leave `default` out of the token's policies. */
  noDefaultPolicy?: boolean;
}

/** The auth block of a response, as Vault's JSON shows it. */
export interface AuthBlock {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  identity_policies?: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: 'service' | 'batch';
  orphan: boolean;
  mfa_requirement: null;
  num_uses: number;
}

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor?: string;
}

export interface Response {
  data?: Record<string, unknown> | null;
  /** Set by login paths: the core mints a token from it. */
  login?: AuthResult;
  /** Set by token-creating paths that minted the token themselves. */
  auth?: AuthBlock;
  warnings?: string[];
  wrapInfo?: WrapInfo;
  /** Force response wrapping with this TTL in seconds (secondary-token does). */
  forceWrapTtl?: number;
  leaseDuration?: number;
  renewable?: boolean;
  /** Raw HTTP answer for paths that don't use the envelope (sys/health). */
  raw?: { status: number; body: unknown; contentType?: string; filename?: string };
  /** Status other than 200 for an enveloped body. */
  status?: number;
}

/** Who is calling: resolved from the client token by the core. */
export interface Caller {
  tokenId: string;
  accessor: string;
  policies: string[];
  displayName: string;
  entityId: string;
  root: boolean;
  tokenType: 'service' | 'batch' | 'none';
}

export interface Request {
  id: string;
  operation: Operation;
  /** Full API path without /v1/, e.g. "secret/data/foo". */
  path: string;
  data: Record<string, unknown>;
  query: Record<string, string>;
  clientToken: string;
  headers: Record<string, string | undefined>;
  /** X-Vault-Wrap-TTL in seconds, if asked. */
  wrapTtl?: number;
  remoteAddr?: string;
  caller?: Caller;
  /**
   * A login a performance secondary forwarded because the method had to write
   * replicated state (an AppRole secret-id's last uses): run the method, return
   * its `login` unminted; the secondary makes the token, where it is used.
   */
  forwardedLogin?: boolean;
  /** The body as sent, for the few paths that take a file rather than JSON (http/raw-body-paths.ts). */
  rawBody?: Buffer;
}

/** What a backend sees: the path relative to its mount. */
export interface BackendRequest {
  operation: Operation;
  path: string;
  data: Record<string, unknown>;
  query: Record<string, string>;
  mountPoint: string;
  caller?: Caller;
  request: Request;
}
