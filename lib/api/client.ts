// The one way the console talks to Coffer: same-origin fetch of /v1/*, with
// the token in X-Vault-Token (as Vault's own UI does). Never imports server/.
import { ApiError, NETWORK_ERROR_STATUS, errorsOf } from './api-error';

export type VaultMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface VaultFetchOptions {
  method?: VaultMethod;
  /** Sent as JSON. */
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
  /** Another cluster's API address ("http://127.0.0.1:8300"); default this console's own origin. */
  baseUrl?: string;
}

/** "sys/mounts", "/sys/mounts" and "/v1/sys/mounts" all mean /v1/sys/mounts. */
export function apiUrl(path: string): string {
  return `/v1/${path.replace(/^\/+/, '').replace(/^v1\//, '')}`;
}

export async function vaultFetch<T>(path: string, opts: VaultFetchOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-Vault-Request': 'true' };
  if (opts.token) headers['X-Vault-Token'] = opts.token;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';

  let res: Response;
  try {
    res = await fetch(`${opts.baseUrl?.replace(/\/+$/, '') ?? ''}${apiUrl(path)}`, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      // Another cluster is asked cross-origin (its sys/config/cors allows this console): the token travels in the header only.
      credentials: opts.baseUrl ? 'omit' : 'same-origin',
      cache: 'no-store',
    });
  } catch (cause) {
    if (opts.signal?.aborted) throw cause;
    throw new ApiError(NETWORK_ERROR_STATUS, [], 'Could not reach the Coffer server', { cause });
  }

  const text = await res.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      // A proxy's HTML error page, say: keep the status, drop the body.
    }
  }
  if (!res.ok) throw new ApiError(res.status, errorsOf(body), `${res.status} ${res.statusText}`.trim());
  return body as T;
}
