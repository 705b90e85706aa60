import type { BackendRequest, Response } from './request';
import type { StorageView } from './storage-view';
import type { TtlLimits } from './token-ttl';

// A secrets engine or auth method mounted at a path (vault sdk/logical/logical.go).
export interface Backend {
  readonly type: string;
  /** null = no such path in this backend (the core answers 404 unsupported path). */
  handle(req: BackendRequest): Promise<Response | null>;
  /** Does the target exist? Decides `create` vs `update` capability for writes. */
  exists?(req: BackendRequest): boolean;
  /** Paths under this mount reachable without a token (login endpoints). */
  readonly unauthenticatedPaths?: string[];
  /**
   * For a login request, the name the login is for (Vault's alias lookahead),
   * so the core can apply user lockout before the method runs; null otherwise.
   */
  loginAlias?(req: BackendRequest): string | null;
}

export interface MountOptions {
  storage: StorageView;
  options: Record<string, string>;
  mountPath: string;
  /** The mount's tuned default/max lease TTLs (system values when untuned); a tune re-creates the backend. */
  limits?: TtlLimits;
}

export type BackendFactory = (opts: MountOptions) => Backend;
