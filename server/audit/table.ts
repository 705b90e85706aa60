import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';

// The audit table (vault/audit.go coreAuditConfigPath / coreLocalAuditConfigPath),
// behind the barrier. Replicated devices live in core/audit and ship to
// performance and DR secondaries, which open them too; local ones live in
// core/local-audit (key class `local`: this cluster and its DR secondaries).
// Each entry carries its device's HMAC salt, so a replicated device hashes a
// value the same way on every cluster.
export const AUDIT_TABLE = 'core/audit';
export const LOCAL_AUDIT_TABLE = 'core/local-audit';

export interface AuditEntry {
  path: string; // "file/"
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
  uuid: string;
  salt: string;
}

export function normalizeAuditPath(path: string): string {
  const p = path.replace(/^\/+/, '').replace(/\/+$/, '');
  if (!p) throw badRequest('path cannot be empty');
  if (p.includes('..')) throw badRequest(`invalid audit path "${path}"`);
  return p + '/';
}

const tableOf = (local: boolean) => (local ? LOCAL_AUDIT_TABLE : AUDIT_TABLE);

export function readAuditTable(barrier: Barrier): AuditEntry[] {
  return [...(barrier.getJSON<AuditEntry[]>(AUDIT_TABLE) ?? []), ...(barrier.getJSON<AuditEntry[]>(LOCAL_AUDIT_TABLE) ?? [])];
}

export function addAuditEntry(barrier: Barrier, entry: AuditEntry): void {
  const key = tableOf(entry.local);
  barrier.putJSON(key, [...(barrier.getJSON<AuditEntry[]>(key) ?? []), entry]);
}

export function removeAuditEntry(barrier: Barrier, entry: AuditEntry): void {
  const key = tableOf(entry.local);
  barrier.putJSON(key, (barrier.getJSON<AuditEntry[]>(key) ?? []).filter((e) => e.uuid !== entry.uuid));
}
