// Where `coffer login` keeps the token, like Vault's ~/.vault-token helper.
// HOME is read from the passed environment so tests can point it elsewhere.
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TOKEN_FILE_NAME = '.coffer-token';

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
  writeFileSync(path, token, { mode: 0o600 });
  chmodSync(path, 0o600); // mode above only applies when the file is created
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
