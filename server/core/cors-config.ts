import type { Barrier } from '../barrier/barrier';
import { badRequest } from '../errors';

// Vault's CORS configuration (vault/cors.go): off until sys/config/cors sets
// allowed origins; allowed headers always include Vault's standard ones.
// Stored behind the barrier (replicated, as in Vault), cached in memory and
// dropped when the key changes — also when replication writes it.
const KEY = 'core/cors/config';

/** vault/cors.go StdAllowedHeaders. */
export const STD_ALLOWED_HEADERS = [
  'Content-Type',
  'X-Requested-With',
  'X-Vault-AWS-IAM-Server-ID',
  'X-Vault-MFA',
  'X-Vault-No-Request-Forwarding',
  'X-Vault-Wrap-Format',
  'X-Vault-Wrap-TTL',
  'X-Vault-Policy-Override',
  'Authorization',
  'X-Vault-Token',
];

/** vault/http/cors.go allowedMethods (LIST is Vault's own verb). */
export const CORS_ALLOWED_METHODS = ['DELETE', 'GET', 'OPTIONS', 'POST', 'PUT', 'LIST'];

export interface CorsConfig {
  enabled: boolean;
  allowed_origins: string[];
  allowed_headers: string[];
}

const DISABLED: CorsConfig = { enabled: false, allowed_origins: [], allowed_headers: [] };

/** Go's textproto.CanonicalMIMEHeaderKey: x-vault-token → X-Vault-Token. */
export function canonicalHeader(h: string): string {
  return h
    .trim()
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function listOf(v: unknown, field: string): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((s) => s.trim()).filter(Boolean);
  throw badRequest(`'${field}' must be a string or a list of strings`);
}

export class CorsConfigStore {
  private cached: CorsConfig | null = null;

  constructor(private readonly barrier: Barrier) {
    barrier.physical.changes.subscribe(KEY, () => (this.cached = null));
  }

  /** The configuration in force; disabled while sealed (Vault loads it on unseal). */
  current(): CorsConfig {
    if (this.barrier.sealed) return DISABLED;
    if (!this.cached) this.cached = this.barrier.getJSON<CorsConfig>(KEY) ?? DISABLED;
    return this.cached;
  }

  set(data: Record<string, unknown>): void {
    const origins = listOf(data.allowed_origins, 'allowed_origins');
    if (!origins.length) throw badRequest('at least one origin or the wildcard must be provided.');
    if (origins.includes('*') && origins.length > 1) throw badRequest("to allow all origins the '*' must be the only value for allowed_origins");
    const headers = [...STD_ALLOWED_HEADERS];
    for (const h of listOf(data.allowed_headers, 'allowed_headers').map(canonicalHeader)) if (!headers.includes(h)) headers.push(h);
    this.barrier.putJSON(KEY, { enabled: true, allowed_origins: origins, allowed_headers: headers } satisfies CorsConfig);
    this.cached = null;
  }

  disable(): void {
    this.barrier.putJSON(KEY, DISABLED);
    this.cached = null;
  }
}

export function originAllowed(c: CorsConfig, origin: string): boolean {
  if (c.allowed_origins.length === 1 && c.allowed_origins[0] === '*') return true;
  return c.allowed_origins.includes(origin);
}

// One store per core, made on first use (the HTTP edge and sys/config/cors share it).
const stores = new WeakMap<object, CorsConfigStore>();
export function corsStoreOf(core: { barrier: Barrier }): CorsConfigStore {
  let s = stores.get(core);
  if (!s) stores.set(core, (s = new CorsConfigStore(core.barrier)));
  return s;
}
