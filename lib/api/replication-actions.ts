// Every replication action the console performs: a POST to
// sys/replication/<kind>/<primary|secondary>/<action> (replication-api.md §2).
// Empty fields are dropped, as Vault's UI does. `vaultToken` is null where the
// action authorises itself (a DR secondary takes a DR operation token instead).
import type { ReplicationKind, SecondaryTokenResponse } from '@/lib/types/replication';
import { ApiError } from './api-error';
import { vaultFetch } from './client';
import { decodeJwtClaims } from './replication-token';

export type ReplicationSide = 'primary' | 'secondary';

/** Drop undefined, null, '' and false, so the server applies its defaults. */
export function dropEmpty(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false));
}

export function replicationAction<T = unknown>(
  kind: ReplicationKind,
  side: ReplicationSide,
  action: string,
  body: Record<string, unknown>,
  vaultToken: string | null,
): Promise<T> {
  return vaultFetch<T>(`sys/replication/${kind}/${side}/${action}`, { method: 'POST', body: dropEmpty(body), token: vaultToken });
}

export const enablePrimary = (kind: ReplicationKind, token: string | null, f: { primary_cluster_addr?: string }) =>
  replicationAction(kind, 'primary', 'enable', { primary_cluster_addr: f.primary_cluster_addr?.trim() }, token);

export interface SecondaryEnableFields {
  token: string;
  primary_api_addr?: string;
  ca_file?: string;
  ca_path?: string;
}

export const enableSecondary = (kind: ReplicationKind, token: string | null, f: SecondaryEnableFields) =>
  replicationAction(
    kind,
    'secondary',
    'enable',
    { token: f.token.trim(), primary_api_addr: f.primary_api_addr?.trim(), ca_file: f.ca_file?.trim(), ca_path: f.ca_path?.trim() },
    token,
  );

export interface GeneratedSecondaryToken {
  token: string;
  /** Seconds. */
  ttl: number;
  /** From the JWT's `exp`, when it has one. */
  expires: Date | null;
}

export async function generateSecondaryToken(
  kind: ReplicationKind,
  vaultToken: string,
  f: { id: string; ttl?: string },
): Promise<GeneratedSecondaryToken> {
  const res = await replicationAction<SecondaryTokenResponse>(kind, 'primary', 'secondary-token', { id: f.id.trim(), ttl: f.ttl }, vaultToken);
  const token = res?.wrap_info?.token ?? res?.data?.token;
  if (!token) throw new ApiError(500, ['the server answered without an activation token']);
  const exp = decodeJwtClaims(token)?.exp;
  return {
    token,
    ttl: res.wrap_info?.ttl ?? 0,
    expires: typeof exp === 'number' ? new Date(exp * 1000) : null,
  };
}

export const revokeSecondary = (kind: ReplicationKind, token: string, id: string) =>
  replicationAction(kind, 'primary', 'revoke-secondary', { id: id.trim() }, token);

export const demotePrimary = (kind: ReplicationKind, token: string) => replicationAction(kind, 'primary', 'demote', {}, token);

export const disableReplication = (kind: ReplicationKind, side: ReplicationSide, token: string | null, drOperationToken?: string) =>
  replicationAction(kind, side, 'disable', { dr_operation_token: drOperationToken?.trim() }, token);

export interface PromoteFields {
  dr_operation_token?: string;
  primary_cluster_addr?: string;
  force?: boolean;
}

export const promoteSecondary = (kind: ReplicationKind, token: string | null, f: PromoteFields) =>
  replicationAction(
    kind,
    'secondary',
    'promote',
    { dr_operation_token: f.dr_operation_token?.trim(), primary_cluster_addr: f.primary_cluster_addr?.trim(), force: f.force },
    token,
  );

export interface UpdatePrimaryFields extends SecondaryEnableFields {
  dr_operation_token?: string;
}

export const updatePrimary = (kind: ReplicationKind, token: string | null, f: UpdatePrimaryFields) =>
  replicationAction(
    kind,
    'secondary',
    'update-primary',
    {
      dr_operation_token: f.dr_operation_token?.trim(),
      token: f.token.trim(),
      primary_api_addr: f.primary_api_addr?.trim(),
      ca_file: f.ca_file?.trim(),
      ca_path: f.ca_path?.trim(),
    },
    token,
  );

/** A replication action's answer when it has no data: Vault's warnings say what happened. */
export interface ActionWarnings {
  warnings?: string[] | null;
}

/**
 * update-primary by `update_primary_addrs` (Vault: "a lighter weight version of
 * specifying a token"): the secondary pings the addresses in order and follows
 * the first primary that accepts its certificate. Never sent with a token.
 */
export const updatePrimaryByAddrs = (kind: ReplicationKind, token: string | null, f: { update_primary_addrs: string[]; dr_operation_token?: string }) =>
  replicationAction<ActionWarnings>(
    kind,
    'secondary',
    'update-primary',
    { dr_operation_token: f.dr_operation_token?.trim(), update_primary_addrs: f.update_primary_addrs.map((a) => a.trim()) },
    token,
  );
