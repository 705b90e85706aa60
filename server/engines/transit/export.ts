import type { Response } from '../../core/request';
import { badRequest } from '../../errors';
import { exportPrivate } from './key-material';
import { KEY_TRAITS } from './key-types';
import type { KeyPolicy, PolicyStore } from './policy';

// export/:key_type/:name(/:version) (path_export.go): key material in
// Vault's formats, only for keys created or configured `exportable`, and only
// versions still allowed to decrypt.

const EXPORT_TYPES = ['encryption-key', 'signing-key', 'hmac-key'] as const;
type ExportType = (typeof EXPORT_TYPES)[number];

function material(p: KeyPolicy, kind: ExportType, version: string): string {
  const entry = p.keys[version];
  return kind === 'hmac-key' ? entry.hmac_key : exportPrivate(p.type, entry);
}

export function exportPath(store: PolicyStore, kind: string, name: string, version: string): Response {
  if (!(EXPORT_TYPES as readonly string[]).includes(kind)) throw badRequest(`invalid export type: ${kind}`);
  const p = store.get(name);
  if (!p) return { status: 404, data: null };
  if (!p.exportable) throw badRequest('key is not exportable');
  const traits = KEY_TRAITS[p.type];
  if (kind === 'encryption-key' && !traits.encryption) throw badRequest('encryption not supported for the key');
  if (kind === 'signing-key' && !traits.signing) throw badRequest('signing not supported for the key');

  const keys: Record<string, string> = {};
  if (version === '') {
    for (const v of Object.keys(p.keys)) if (Number(v) >= p.min_decryption_version) keys[v] = material(p, kind as ExportType, v);
  } else {
    const n = version === 'latest' ? p.latest_version : /^\d+$/.test(version) ? Number(version) : NaN;
    if (Number.isNaN(n)) throw badRequest('invalid key version');
    if (n < p.min_decryption_version) throw badRequest('version for export is below minimum decryption version');
    if (!p.keys[String(n)]) throw badRequest('version does not exist or cannot be found');
    keys[String(n)] = material(p, kind as ExportType, String(n));
  }
  return { data: { name: p.name, type: p.type, keys } };
}
