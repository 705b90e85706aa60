// Wire shapes of `GET sys/mounts` and `GET sys/auth`
// (vault website/content/api-docs/system/mounts.mdx, auth.mdx).

export interface MountConfig {
  default_lease_ttl: number;
  max_lease_ttl: number;
  force_no_cache?: boolean;
  [option: string]: unknown;
}

/** One entry of the mount table, keyed by its path ("secret/"). */
export interface MountEntry {
  type: string;
  description: string;
  accessor: string;
  local: boolean;
  seal_wrap: boolean;
  external_entropy_access?: boolean;
  uuid?: string;
  config: MountConfig;
  options: Record<string, string> | null;
}

/**
 * Vault answers with the table twice: under `data` and, for old clients,
 * spread at the top level next to request_id & co. Read `data` first.
 */
export interface MountTableResponse {
  data?: Record<string, MountEntry>;
  [pathOrField: string]: unknown;
}
