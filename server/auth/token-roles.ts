import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';
import { bool, int, str, strList } from '../engines/sys/respond';
import { parseDuration } from './duration';
import { normalizeNames, sanitizePolicies, type PolicyRole } from './token-policy-rules';

// Token roles (auth/token/roles/:name). Stored under core/token-roles/ so
// they replicate: a batch DR operation token role made on the primary
// exists on every secondary.
const PREFIX = 'core/token-roles/';

export interface TokenRole {
  name: string;
  allowed_policies: string[];
  disallowed_policies: string[];
  allowed_policies_glob: string[];
  disallowed_policies_glob: string[];
  orphan: boolean;
  renewable: boolean;
  token_type: 'service' | 'batch' | 'default-service' | 'default-batch';
  token_ttl: number;
  token_explicit_max_ttl: number;
  token_period: number;
  token_num_uses: number;
  token_no_default_policy: boolean;
  path_suffix: string;
}

export class TokenRoles {
  constructor(private readonly barrier: Barrier) {}

  get(name: string): TokenRole | null {
    const role = this.barrier.getJSON<TokenRole>(PREFIX + name.toLowerCase());
    // Roles stored before the glob lists existed read as having none.
    return role && { ...role, allowed_policies_glob: role.allowed_policies_glob ?? [], disallowed_policies_glob: role.disallowed_policies_glob ?? [] };
  }

  list(): string[] {
    return this.barrier.list(PREFIX);
  }

  delete(name: string): void {
    this.barrier.delete(PREFIX + name.toLowerCase());
  }

  write(name: string, data: Record<string, unknown>): TokenRole {
    const prev = this.get(name);
    const type = str(data, 'token_type', prev?.token_type ?? 'default-service');
    if (!['service', 'batch', 'default-service', 'default-batch', 'default'].includes(type)) throw badRequest(`invalid 'token_type' value "${type}"`);
    const role: TokenRole = {
      name: name.toLowerCase(),
      // Stored normalised (trimmed, lower-cased) as Vault does, so "ADMIN" is admin.
      allowed_policies: sanitizePolicies(strList(data, 'allowed_policies') ?? prev?.allowed_policies ?? [], false),
      disallowed_policies: normalizeNames(strList(data, 'disallowed_policies') ?? prev?.disallowed_policies ?? []),
      allowed_policies_glob: normalizeNames(strList(data, 'allowed_policies_glob') ?? prev?.allowed_policies_glob ?? []),
      disallowed_policies_glob: normalizeNames(strList(data, 'disallowed_policies_glob') ?? prev?.disallowed_policies_glob ?? []),
      orphan: bool(data, 'orphan', prev?.orphan ?? false),
      renewable: bool(data, 'renewable', prev?.renewable ?? true),
      token_type: (type === 'default' ? 'default-service' : type) as TokenRole['token_type'],
      token_ttl: data.token_ttl !== undefined ? parseDuration(data.token_ttl, 'token_ttl') : (prev?.token_ttl ?? 0),
      token_explicit_max_ttl:
        data.token_explicit_max_ttl !== undefined || data.explicit_max_ttl !== undefined
          ? parseDuration(data.token_explicit_max_ttl ?? data.explicit_max_ttl, 'token_explicit_max_ttl')
          : (prev?.token_explicit_max_ttl ?? 0),
      token_period: data.token_period !== undefined || data.period !== undefined ? parseDuration(data.token_period ?? data.period, 'token_period') : (prev?.token_period ?? 0),
      token_num_uses: int(data, 'token_num_uses', prev?.token_num_uses ?? 0),
      token_no_default_policy: bool(data, 'token_no_default_policy', prev?.token_no_default_policy ?? false),
      path_suffix: str(data, 'path_suffix', prev?.path_suffix ?? ''),
    };
    if (role.token_type.endsWith('batch') && role.token_type === 'batch' && !role.orphan && data.orphan === undefined) role.orphan = true;
    this.barrier.putJSON(PREFIX + role.name, role);
    return role;
  }
}

/** The policy-relevant part of a role, for childPolicies. */
export function policyRuleOf(role: TokenRole): PolicyRole {
  return {
    allowed: role.allowed_policies,
    disallowed: role.disallowed_policies,
    allowedGlob: role.allowed_policies_glob,
    disallowedGlob: role.disallowed_policies_glob,
    noDefaultPolicy: role.token_no_default_policy,
  };
}
