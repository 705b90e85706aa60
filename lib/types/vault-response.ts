// The envelope every Vault API response shares (vault api/secret.go) and the
// error body (vault sdk/logical/response_util.go).

export interface VaultErrorBody {
  errors: string[];
}

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
}

export interface VaultResponse<Data, Auth = null> {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: Data;
  wrap_info: WrapInfo | null;
  warnings: string[] | null;
  auth: Auth;
}

/** `LIST foo` (or `GET foo?list=true`) answers `{ data: { keys } }`. */
export type ListResponse = VaultResponse<{ keys: string[] }>;
