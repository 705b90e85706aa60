// Wire shapes of the token endpoints the console signs in with
// (vault website/content/api-docs/auth/token.mdx, auth/userpass.mdx).
import type { VaultResponse } from './vault-response';

/** `GET auth/token/lookup-self` → data. */
export interface TokenLookupData {
  accessor: string;
  creation_time: number;
  creation_ttl: number;
  display_name: string;
  entity_id: string;
  expire_time: string | null;
  explicit_max_ttl: number;
  id: string;
  meta: Record<string, string> | null;
  num_uses: number;
  orphan: boolean;
  path: string;
  policies: string[];
  renewable?: boolean;
  ttl: number;
  type: string;
}

export type TokenLookupResponse = VaultResponse<TokenLookupData>;

/** The `auth` block of a login response, e.g. `POST auth/userpass/login/:username`. */
export interface AuthInfo {
  client_token: string;
  accessor: string;
  policies: string[] | null;
  token_policies: string[] | null;
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
}

export type LoginResponse = VaultResponse<null, AuthInfo>;
