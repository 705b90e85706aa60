import type { AuthResult, BackendRequest } from '../../core/request';
import { badRequest, InvalidCredentialsError, permissionDenied } from '../../errors';
import { addressAllowed } from '../bound-cidrs';
import { tokenAuthOf } from '../token-fields';
import type { RoleStore } from './role-store';
import { expired, type SecretIdStore } from './secret-id-store';

// auth/approle/login (vault approle path_login.go). role_id always; secret_id
// when the role binds one. Everything from reading the secret-id to spending
// its use runs without an await, so two logins cannot both spend a last use
// (better-sqlite3 is synchronous and this process is single-threaded).
//
// Unlike Vault, token_bound_cidrs are checked here, at login: this server's
// tokens carry no CIDR binding, so a login from outside them gets no token at all.

const INVALID = 'invalid role or secret ID';

export function roleIdOf(data: Record<string, unknown>): string {
  return typeof data.role_id === 'string' ? data.role_id.trim() : '';
}

export function approleLogin(req: BackendRequest, roles: RoleStore, secretIds: SecretIdStore): AuthResult {
  const roleId = roleIdOf(req.data);
  if (roleId === '') throw badRequest('missing role_id');
  const role = roles.byRoleId(roleId);
  if (!role) throw badRequest(INVALID);
  const remote = req.request.remoteAddr;
  let metadata: Record<string, string> = {};
  let tokenCidrs = role.token_bound_cidrs;

  if (role.bind_secret_id) {
    const secretId = typeof req.data.secret_id === 'string' ? req.data.secret_id.trim() : '';
    if (secretId === '') throw badRequest('missing secret_id');
    const found = secretIds.find(role, secretId);
    // Counts as a failed login for user lockout (Vault's ErrInvalidCredentials).
    if (!found) throw new InvalidCredentialsError(INVALID);
    const entry = found.entry;
    if (expired(entry)) throw badRequest('invalid secret id');
    if (entry.cidr_list.length > 0 && !addressAllowed(remote, entry.cidr_list))
      throw badRequest(`source address ${JSON.stringify(remote ?? '')} unauthorized by CIDR restrictions on the secret ID`);
    if (role.secret_id_bound_cidrs.length > 0 && !addressAllowed(remote, role.secret_id_bound_cidrs))
      throw badRequest(`source address ${JSON.stringify(remote ?? '')} unauthorized by CIDR restrictions on the role`);
    if (entry.token_bound_cidrs.length > 0) tokenCidrs = entry.token_bound_cidrs;
    if (tokenCidrs.length > 0 && !addressAllowed(remote, tokenCidrs)) throw permissionDenied();
    secretIds.spend(role, found);
    metadata = { ...entry.metadata };
  } else {
    if (role.secret_id_bound_cidrs.length > 0 && !addressAllowed(remote, role.secret_id_bound_cidrs))
      throw badRequest(`source address ${JSON.stringify(remote ?? '')} unauthorized by CIDR restrictions on the role`);
    if (tokenCidrs.length > 0 && !addressAllowed(remote, tokenCidrs)) throw permissionDenied();
  }

  // Always the role's name, for later filtering (as Vault adds it).
  metadata.role_name = role.name;
  return { ...tokenAuthOf(role), displayName: displayName(req.mountPoint), metadata };
}

/** Vault names AppRole tokens after the mount: auth/approle/ → "approle". */
function displayName(mountPoint: string): string {
  return mountPoint.replace(/^auth\//, '').replace(/\/$/, '').replace(/\//g, '-');
}
