import { VaultError } from '../errors';

// X-Vault-Namespace: namespaces are a Vault Enterprise feature, and Coffer has
// only the root namespace. A client configured for another namespace must
// learn that at its first request, not read and write the root namespace's
// secrets believing they are its own.
const ROOT_NAMESPACE_FORMS = new Set(['', 'root', 'root/']);

export function refuseNamespace(header: string | string[] | undefined): void {
  if (header === undefined) return;
  const ns = (Array.isArray(header) ? header.join(',') : header).trim();
  if (ROOT_NAMESPACE_FORMS.has(ns)) return;
  throw new VaultError(
    'invalid_request',
    `namespaces are not supported: X-Vault-Namespace ${JSON.stringify(ns)} names a namespace, a Vault Enterprise feature; this server has only the root namespace (send no X-Vault-Namespace header, or "root")`,
  );
}
