import type { MountedBackend } from '../core/mounts';
import { badRequest } from '../errors';
import type { AuditInput } from './entry';

// What the audit log needs from a mount: its type and accessor, and the keys
// its tune exempts from HMAC (audit_non_hmac_request_keys /
// audit_non_hmac_response_keys, vault/mount.go MountConfig).
export function auditMountOf(m: MountedBackend | undefined): AuditInput['mount'] {
  if (!m) return undefined;
  const c = m.entry.config;
  return {
    type: m.entry.type,
    accessor: m.entry.accessor,
    nonHmacRequestKeys: c.audit_non_hmac_request_keys ?? [],
    nonHmacResponseKeys: c.audit_non_hmac_response_keys ?? [],
  };
}

type AuditKeys = { audit_non_hmac_request_keys?: string[]; audit_non_hmac_response_keys?: string[] };
const AUDIT_KEY_FIELDS = ['audit_non_hmac_request_keys', 'audit_non_hmac_response_keys'] as const;

/**
 * The audit keys from an enable `config` or a tune body: a list or a
 * comma-separated string. Vault clears a list given as [""] (or "").
 */
export function parseAuditKeys(data: Record<string, unknown> | undefined): AuditKeys {
  const out: AuditKeys = {};
  for (const field of AUDIT_KEY_FIELDS) {
    const v = data?.[field];
    if (v === undefined || v === null) continue;
    const list = typeof v === 'string' ? v.split(',') : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
    if (!list) throw badRequest(`'${field}' must be a list of strings or a comma-separated string`);
    out[field] = list.map((s) => s.trim()).filter(Boolean);
  }
  return out;
}

/** For mount listings and tune reads: present only when set, as Vault shows them. */
export function auditKeysView(c: AuditKeys): AuditKeys {
  const out: AuditKeys = {};
  for (const field of AUDIT_KEY_FIELDS) if (c[field]?.length) out[field] = c[field];
  return out;
}
