// Where `coffer login` keeps the token, like Vault's ~/.vault-token helper.
// HOME is read from the passed environment so tests can point it elsewhere.
import { closeSync, fchmodSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TOKEN_FILE_NAME = '.coffer-token';
export const TOKEN_FILE_MODE = 0o600;

export type Env = Record<string, string | undefined>;

export function tokenFilePath(env: Env): string {
  return join(env.HOME || homedir(), TOKEN_FILE_NAME);
}

export function readStoredToken(env: Env): string | undefined {
  try {
    const token = readFileSync(tokenFilePath(env), 'utf8').trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(env: Env, token: string): void {
  const path = tokenFilePath(env);
  // The mode given to open() only applies when it creates the file (and the
  // umask masks it): tighten an existing file BEFORE the token goes in, so it
  // is never readable by others, not even for a moment.
  const fd = openSync(path, 'a', TOKEN_FILE_MODE);
  try {
    fchmodSync(fd, TOKEN_FILE_MODE);
    ftruncateSync(fd, 0);
    writeSync(fd, token);
  } finally {
    closeSync(fd);
  }
}

/** The token from the environment (COFFER_TOKEN, then VAULT_TOKEN), if any. */
export function envToken(env: Env): { name: string; value: string } | undefined {
  for (const name of ['COFFER_TOKEN', 'VAULT_TOKEN']) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

/** The token a request should carry: environment first, then the stored file. */
export function resolveToken(env: Env): string | undefined {
  return envToken(env)?.value ?? readStoredToken(env);
}
