// DR operation tokens, the two ways an operator gets one (replication-api.md §2.4):
// - prepared ahead on the DR primary: a batch token from a dedicated role;
// - on the DR secondary at failover time: root-generation with the unseal key
//   shares (the primary's, adopted on enable), decoded with the OTP.
import type { OperationTokenStatus } from '@/lib/types/replication';
import type { VaultResponse } from '@/lib/types/vault-response';
import type { AuthInfo } from '@/lib/types/token';
import { ApiError } from './api-error';
import { vaultFetch } from './client';

export const DR_BATCH_ROLE = 'dr-operation-batch';
export const DR_BATCH_POLICY = 'dr-operation-batch';
export const DR_BATCH_POLICY_HCL = `# Lets a batch token promote or re-point a DR secondary (created by the Coffer console).
path "sys/replication/dr/secondary/promote" {
  capabilities = ["update"]
}
path "sys/replication/dr/secondary/update-primary" {
  capabilities = ["update"]
}
`;

/** Policy, role, then a token from the role. Returns the hvb. token. */
export async function createBatchDrOperationToken(vaultToken: string, ttl: string): Promise<string> {
  await vaultFetch(`sys/policies/acl/${DR_BATCH_POLICY}`, { method: 'PUT', token: vaultToken, body: { policy: DR_BATCH_POLICY_HCL } });
  await vaultFetch(`auth/token/roles/${DR_BATCH_ROLE}`, {
    method: 'POST',
    token: vaultToken,
    body: { token_type: 'batch', orphan: true, renewable: false, allowed_policies: DR_BATCH_POLICY },
  });
  const res = await vaultFetch<VaultResponse<null, AuthInfo>>(`auth/token/create/${DR_BATCH_ROLE}`, {
    method: 'POST',
    token: vaultToken,
    body: ttl.trim() ? { ttl: ttl.trim(), policies: [DR_BATCH_POLICY] } : { policies: [DR_BATCH_POLICY] },
  });
  const token = res?.auth?.client_token;
  if (!token) throw new ApiError(500, ['the server answered without a token']);
  return token;
}

const ATTEMPT = 'sys/replication/dr/secondary/generate-operation-token/attempt';
const UPDATE = 'sys/replication/dr/secondary/generate-operation-token/update';

// These run on a DR secondary, where a Vault token means nothing: no token sent.
// `baseUrl`: a DR secondary other than the console's own cluster (the drill screen).
export const startOperationToken = (baseUrl?: string) => vaultFetch<OperationTokenStatus>(ATTEMPT, { method: 'POST', body: {}, baseUrl });
export const operationTokenStatus = (baseUrl?: string) => vaultFetch<OperationTokenStatus>(ATTEMPT, { baseUrl });
export const submitKeyShare = (key: string, nonce: string, baseUrl?: string) =>
  vaultFetch<OperationTokenStatus>(UPDATE, { method: 'POST', body: { key: key.trim(), nonce }, baseUrl });
export const cancelOperationToken = (baseUrl?: string) => vaultFetch<unknown>(ATTEMPT, { method: 'DELETE', baseUrl });
