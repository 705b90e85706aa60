// What a failed call to the Vault API looks like to the console: the HTTP
// status plus the `errors` array of Vault's `{"errors":[...]}` body.

/** Status 0 means the request never got an HTTP answer (network down, server gone). */
export const NETWORK_ERROR_STATUS = 0;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    fallback?: string,
    opts?: ErrorOptions,
  ) {
    super(errors.map(readableVaultMessage).filter(Boolean).join('; ') || fallback || `request failed with status ${status}`, opts);
    this.name = 'ApiError';
  }

  /** 403: Vault's answer for a missing, expired or under-privileged token. */
  get isPermissionDenied(): boolean {
    return this.status === 403;
  }
}

/**
 * Vault wraps some errors in go-multierror's format,
 * "1 error occurred:\n\t* permission denied\n\n"; show just the items.
 */
export function readableVaultMessage(msg: string): string {
  const m = /^\d+ errors? occurred:\s*([\s\S]*)$/.exec(msg.trim());
  if (!m) return msg.trim();
  return m[1]
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s*/, '').trim())
    .filter(Boolean)
    .join('; ');
}

/** A message fit to show a person, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong';
}

/** Pull Vault's `errors` array out of a parsed body, tolerating anything else. */
export function errorsOf(body: unknown): string[] {
  if (body && typeof body === 'object' && 'errors' in body) {
    const errors = (body as { errors: unknown }).errors;
    if (Array.isArray(errors)) return errors.map(String);
  }
  return [];
}
