// Printing responses the way `vault read`/`vault write` do: a Key/Value table
// by default, the full response as indented JSON with -format=json, or one
// raw value with -field. Warnings go to stderr in Vault's block.
import type { Secret } from './client';
import type { Ui } from './ui';
import { UsageError } from './flags';
import type { Env } from './token-store';
import {
  formatValue,
  humanDuration,
  keyValueTable,
  mapRows,
  quotedList,
  tableOutput,
  wrapAtLength,
} from './table';

export type Format = 'table' | 'json';

/** -format flag, else COFFER_FORMAT/VAULT_FORMAT, else table. */
export function resolveFormat(flag: string | undefined, env: Env): Format {
  const f = (flag || env.COFFER_FORMAT || env.VAULT_FORMAT || 'table').toLowerCase();
  if (f === 'table' || f === 'json') return f;
  throw new UsageError(`Invalid output format: ${f}`);
}

/** Go's json.Marshal sorts map keys; keep output stable and diff-friendly the same way. */
export function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (v === null || typeof v !== 'object') return v;
  const obj = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) out[k] = sortKeysDeep(obj[k]);
  return out;
}

export const toJson = (v: unknown) => JSON.stringify(v, null, 2);

/** The secret in api.Secret's field order, empty optional blocks left out. */
export function secretJson(secret: Secret): Record<string, unknown> {
  const out: Record<string, unknown> = {
    request_id: secret.request_id ?? '',
    lease_id: secret.lease_id ?? '',
    lease_duration: secret.lease_duration ?? 0,
    renewable: secret.renewable ?? false,
    data: secret.data === undefined ? null : sortKeysDeep(secret.data),
    warnings: secret.warnings ?? null,
  };
  if (secret.auth) out.auth = secret.auth;
  if (secret.wrap_info) out.wrap_info = secret.wrap_info;
  if (secret.mount_type) out.mount_type = secret.mount_type;
  return out;
}

export function printWarnings(ui: Ui, warnings: readonly string[] | null | undefined): void {
  if (!warnings || warnings.length === 0) return;
  ui.err('WARNING! The following warnings were returned from Vault:\n');
  for (const w of warnings) {
    ui.err(wrapAtLength(`* ${w}`, 2));
    ui.err('');
  }
}

/** Go's time.Time.String() for an RFC 3339 timestamp ("2006-01-02 15:04:05.999 +0000 UTC"). */
export function goTimeString(iso: string | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!m) return iso;
  const frac = (m[3] ?? '').replace(/0+$/, '').replace(/\.$/, '');
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[4].replace(':', '')} ${m[4].replace(':', '')}`;
  return `${m[1]} ${m[2]}${frac} ${zone}`;
}

/** Rows of the secret table: lease, auth, wrapping, then data (Vault's OutputSecret order). */
export function secretRows(secret: Secret): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const lease = secret.lease_duration ?? 0;
  if (lease > 0) {
    if (secret.lease_id) {
      rows.push(['lease_id', secret.lease_id]);
      rows.push(['lease_duration', humanDuration(lease)]);
      rows.push(['lease_renewable', String(secret.renewable ?? false)]);
    } else {
      rows.push(['refresh_interval', humanDuration(lease)]);
    }
  }
  const auth = secret.auth;
  if (auth) {
    rows.push(['token', auth.client_token ?? '']);
    rows.push(['token_accessor', auth.accessor ?? '']);
    rows.push(['token_duration', auth.lease_duration ? humanDuration(auth.lease_duration) : '∞']);
    rows.push(['token_renewable', String(auth.renewable ?? false)]);
    rows.push(['token_policies', quotedList(auth.token_policies)]);
    rows.push(['identity_policies', quotedList(auth.identity_policies)]);
    rows.push(['policies', quotedList(auth.policies)]);
    for (const [k, v] of Object.entries(auth.metadata ?? {})) rows.push([`token_meta_${k}`, formatValue(v)]);
  }
  const wrap = secret.wrap_info;
  if (wrap) {
    rows.push(['wrapping_token:', wrap.token]);
    rows.push(['wrapping_accessor:', wrap.accessor ?? '']);
    rows.push(['wrapping_token_ttl:', humanDuration(wrap.ttl ?? 0)]);
    rows.push(['wrapping_token_creation_time:', goTimeString(wrap.creation_time)]);
    rows.push(['wrapping_token_creation_path:', wrap.creation_path ?? '']);
    if (wrap.wrapped_accessor) rows.push(['wrapped_accessor:', wrap.wrapped_accessor]);
  }
  if (secret.data) rows.push(...mapRows(secret.data));
  return rows;
}

export function outputSecret(ui: Ui, secret: Secret | null, format: Format): number {
  if (!secret) return 0;
  if (format === 'json') {
    ui.out(toJson(secretJson(secret)));
    return 0;
  }
  printWarnings(ui, secret.warnings);
  const rows = secretRows(secret);
  if (rows.length > 0) ui.out(keyValueTable(rows));
  return 0;
}

/** A bare map (no envelope) as a Key/Value table or JSON. */
export function outputData(ui: Ui, data: unknown, format: Format): number {
  if (format === 'json') {
    ui.out(toJson(sortKeysDeep(data)));
    return 0;
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const rows = mapRows(data as Record<string, unknown>);
    if (rows.length > 0) ui.out(keyValueTable(rows));
    return 0;
  }
  ui.out(formatValue(data));
  return 0;
}

/** `vault list` output: "Keys" header over sorted keys, or the key array in JSON. */
export function outputList(ui: Ui, secret: Secret, format: Format): number {
  const keys = (secret.data?.keys as unknown[]).map(String);
  if (format === 'json') {
    ui.out(toJson(keys));
    return 0;
  }
  printWarnings(ui, secret.warnings);
  ui.out(tableOutput(['Keys'], [...keys].sort().map((k) => [k])));
  return 0;
}

/** Vault's RawField: auth and wrapping fields by name, else data[field]. */
export function rawField(secret: Secret, field: string): unknown {
  const data = secret.data ?? {};
  if (secret.auth) {
    const a = secret.auth;
    const byName: Record<string, unknown> = {
      token: a.client_token,
      token_accessor: a.accessor,
      token_duration: a.lease_duration,
      token_renewable: a.renewable,
      token_policies: a.token_policies,
      identity_policies: a.identity_policies,
      policies: a.policies,
    };
    return field in byName ? byName[field] : data[field];
  }
  if (secret.wrap_info) {
    const w = secret.wrap_info;
    const byName: Record<string, unknown> = {
      wrapping_token: w.token,
      wrapping_accessor: w.accessor,
      wrapping_token_ttl: w.ttl,
      wrapping_token_creation_time: w.creation_time,
      wrapping_token_creation_path: w.creation_path,
      wrapped_accessor: w.wrapped_accessor,
    };
    return field in byName ? byName[field] : data[field];
  }
  switch (field) {
    case 'lease_duration':
    case 'refresh_interval':
      return secret.lease_duration;
    case 'lease_id':
      return secret.lease_id;
    case 'request_id':
      return secret.request_id;
    case 'renewable':
      return secret.renewable;
    case 'data':
      return 'data' in data ? data.data : data;
    default:
      return data[field];
  }
}

/**
 * Prints one value with nothing around it. Like Vault's PrintRaw, a trailing
 * newline is added only for terminals, so `$(coffer read -field=x ...)` and
 * pipes get the bare value.
 */
export function printRaw(ui: Ui, text: string): number {
  if (ui.stdoutIsTTY) ui.out(text);
  else ui.raw(text);
  return 0;
}

export function printRawField(
  ui: Ui,
  source: Secret | Record<string, unknown>,
  field: string,
  format: Format,
  isSecret = true,
): number {
  const value = isSecret ? rawField(source as Secret, field) : (source as Record<string, unknown>)[field];
  if (value === undefined || value === null) {
    ui.err(`Field "${field}" not present in secret`);
    return 1;
  }
  if (format === 'json') return printRaw(ui, toJson(sortKeysDeep(value)));
  return printRaw(ui, formatValue(value));
}

